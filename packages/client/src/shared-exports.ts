/** What both entries (Node and browser) export besides `createClient`. */
export { InferqClient, type ClientStats, type PredictOptions, type SubmitOptions, type WatchItem } from './client.js';
export type { CallOptions, LogExportOptions, BatchingInForce } from './admin-api.js';
export type { BackoffOptions } from './backoff.js';
export { InferqClientError, type ClientErrorCode, type InferqErrorCode, type InferqClientErrorOptions } from './errors.js';
export type { PredictInputs } from './inputs.js';
export type { InferqClientOptions } from './options.js';
export { SUBSCRIBE_CHUNK } from './push-connection.js';
export type { SocketFactory, SocketLike } from './socket.js';
export { flattenNested, prepareTensor, type NestedArray, type PreparedTensor, type TensorInput, type TypedArray } from './tensor.js';
export type { ApiKeyInfo, CreatedApiKey, DeadLetter, DeadLetterList, FinalPrediction, ModelFileSource, ModelInfo, ModelStatus, ModelVersionInfo, PredictionRecord, PredictionResult, RegisteredVersion, RegisterOptions, Submitted, VersionStatusInfo } from './types.js';
