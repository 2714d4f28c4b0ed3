/**
 * `@inferq/batch-jobs`: batch prediction jobs (docs/batches.md), shared by the API (create, read,
 * cancel, results, schedules) and the worker (run, schedule consumer): input parsing, the Redis
 * state, the result files and URIs.
 */
export * from './batch-types.js';
export * from './batch-files.js';
export * from './batch-store.js';
export * from './batch-service.js';
export * from './batch-schedules.js';
export * from './batch-uri.js';
export * from './batch-settings.js';
export * from './input-rows.js';
export * from './result-lines.js';
export * from './row-decoder.js';
export * from './batch-queues.js';
