export * from './datatypes.js';
export * from './error-codes.js';
export * from './inference-protocol.js';
export * from './prediction.js';
export * from './prediction-id.js';
export * from './prediction-job.js';
export * from './redis-keys.js';
export * from './ws-messages.js';
