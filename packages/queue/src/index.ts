export * from './redis-connection.js';
export * from './prediction-store.js';
export * from './prediction-queues.js';
export * from './prediction-events.js';
export * from './embedded-redis.js';
