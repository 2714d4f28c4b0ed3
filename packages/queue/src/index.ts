export * from './redis-connection.js';
export * from './prediction-store.js';
export * from './prediction-queues.js';
export * from './prediction-events.js';
export * from './embedded-redis.js';
export * from './prediction-log.js';
export * from './monitoring-store.js';
export * from './batching-settings.js';
