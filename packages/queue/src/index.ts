/**
 * `@inferq/queue`: the BullMQ side. One queue per model, the producer/worker pair that hides
 * coalesced bundles from the rest (callers see predictions, never bundles), and the stored
 * micro-batching settings the workers follow.
 */
export * from './prediction-queues.js';
export * from './prediction-producer.js';
export * from './prediction-worker.js';
export * from './batching-settings.js';
