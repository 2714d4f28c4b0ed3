/**
 * `@inferq/predictions`: a prediction's state in Redis and what is derived from it. The store
 * (one-way status changes through Lua), the final-result events, the prediction log and the
 * monitor's stored windows, alerts and settings, and traffic policies (store, check, pure router).
 * No BullMQ here: the queues live in `@inferq/queue`.
 */
export * from './prediction-store.js';
export * from './final-event-text.js';
export * from './prediction-events.js';
export * from './prediction-log.js';
export * from './prediction-log-batch.js';
export * from './monitoring-store.js';
export * from './version-stats-store.js';
export * from './rollout-store.js';
export * from './traffic-control.js';
export * from './rollout-gates.js';
export * from './rollout-engine.js';
export * from './prediction-cache.js';
export * from './traffic-policy-store.js';
export * from './traffic-policy-check.js';
export * from './traffic-router.js';
export * from './rollout-traffic.js';
export * from './repository-version-facts.js';
export * from './comparison-store.js';
export * from './output-comparison.js';
export * from './registry-version-facts.js';
