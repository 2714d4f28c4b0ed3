/**
 * `@inferq/redis`: how we talk to Redis, knowing nothing of predictions or queues. Connections
 * (shared options, readiness), the embedded `redis-server` for a single-process install, the one
 * Lua loader with every script in `commands/*.lua`, and the helpers that classify Redis errors.
 */
export * from './redis-connection.js';
export * from './embedded-redis.js';
export * from './data-dir-lock.js';
export * from './redis-script.js';
export * from './redis-errors.js';
