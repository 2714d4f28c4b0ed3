/**
 * `config.json` beside a model version: serving settings the ONNX file cannot say. Its batching
 * fields share their schemas (and limits) with the run-time batching settings (batching.ts).
 *
 * ```json
 * { "description": "...", "maxBatchSize": 32, "maxQueueDelayMs": 0, "maxQueueSize": 1000,
 *   "labels": ["cat", "dog"], "inputs": [{ "name": "x", "shape": [-1, 3, 48, 192] }],
 *   "cache": { "ttlSeconds": 3600, "maxEntries": 100000 }, "onnxruntime": { "intraOpThreads": 1 } }
 * ```
 */
import { Type, type Static } from '@sinclair/typebox';
import { BatchSize, PreferredBatchSizes, QueueDelayMs } from './batching.js';
import { CacheConfig } from './prediction-cache.js';
import { compileValidator, ERROR_MESSAGE } from './schema-validator.js';

const Strings = Type.Array(Type.String(), { [ERROR_MESSAGE]: 'must be an array of strings' });

/** One input's override: fixes dynamic dimensions, names features for monitoring. */
export const InputConfig = Type.Object({
  name: Type.String({ [ERROR_MESSAGE]: 'must be a string' }),
  /** Full shape with -1 for the batch (and any still-dynamic) dimension; fixed dims must agree with the ONNX file. */
  shape: Type.Optional(Type.Array(Type.Union([Type.Literal(-1), Type.Integer({ minimum: 1, maximum: 2 ** 31 })]), {
    [ERROR_MESSAGE]: 'must be an array of positive integers or -1',
  })),
  featureNames: Type.Optional(Strings),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object with a "name"' });
export type InputConfig = Static<typeof InputConfig>;

/**
 * onnxruntime session options of one version, over the worker's defaults (`ORT_INTRA_OP_THREADS`,
 * `ORT_ALLOW_SPINNING`): what suits a 4-feature regression (one thread, no pool to wake) is not
 * what suits a convolutional network (every core), and Triton sets them per model too.
 */
export const OnnxRuntimeConfig = Type.Object({
  /** Threads for one operator. Default: the worker's `ORT_INTRA_OP_THREADS` (onnxruntime's own default: all cores). */
  intraOpThreads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, [ERROR_MESSAGE]: 'must be an integer in [1, 1024]' })),
  /** Threads running independent operators at once (only with `executionMode: "parallel"`). Default 1. */
  interOpThreads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, [ERROR_MESSAGE]: 'must be an integer in [1, 1024]' })),
  /** Graph optimisations applied when the session is created. Default "all". */
  graphOptimizationLevel: Type.Optional(Type.Union([Type.Literal('disabled'), Type.Literal('basic'), Type.Literal('extended'), Type.Literal('all')], {
    [ERROR_MESSAGE]: 'must be "disabled", "basic", "extended" or "all"',
  })),
  /** "parallel" runs independent branches of the graph at once on `interOpThreads`. Default "sequential". */
  executionMode: Type.Optional(Type.Union([Type.Literal('sequential'), Type.Literal('parallel')], { [ERROR_MESSAGE]: 'must be "sequential" or "parallel"' })),
  /** onnxruntime's CPU memory arena (faster allocation, memory kept once grown). Default true. */
  enableCpuMemArena: Type.Optional(Type.Boolean({ [ERROR_MESSAGE]: 'must be true or false' })),
  /** Pre-planned memory for repeated shapes. Default true. */
  enableMemPattern: Type.Optional(Type.Boolean({ [ERROR_MESSAGE]: 'must be true or false' })),
  /** Intra-op threads spin while waiting for work instead of sleeping. Default: the worker's `ORT_ALLOW_SPINNING`. */
  allowSpinning: Type.Optional(Type.Boolean({ [ERROR_MESSAGE]: 'must be true or false' })),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object of onnxruntime session options (intraOpThreads, interOpThreads, graphOptimizationLevel, executionMode, enableCpuMemArena, enableMemPattern, allowSpinning)' });
export type OnnxRuntimeConfig = Static<typeof OnnxRuntimeConfig>;

/** Serving settings of one model version. */
export const ModelConfig = Type.Object({
  description: Type.Optional(Type.String({ [ERROR_MESSAGE]: 'must be a string' })),
  /**
   * Most rows in one batch; 0 turns batching off (the model's first dimension is not a batch).
   * Default: 32 when every input's first dimension is dynamic, else 0.
   */
  maxBatchSize: Type.Optional(BatchSize(0)),
  /** How long the oldest queued request may wait for a batch to fill, ms; 0 never waits. Default 0. */
  maxQueueDelayMs: Type.Optional(QueueDelayMs),
  /**
   * Most predictions waiting in the model's queue (not yet taken by a worker); beyond it the API
   * answers 429 QUEUE_FULL, as Triton's `max_queue_size`. Default: the API's MAX_QUEUE_SIZE.
   */
  maxQueueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, [ERROR_MESSAGE]: 'must be an integer in [1, 10000000]' })),
  /** Batch sizes cut at once without waiting out the delay (Triton's preferred_batch_size). */
  preferredBatchSizes: Type.Optional(PreferredBatchSizes),
  /** Learn the batch cost (t ≈ a·n + b) and wait, up to maxQueueDelayMs, only while waiting pays. Default false. */
  adaptiveBatching: Type.Optional(Type.Boolean({ [ERROR_MESSAGE]: 'must be true or false' })),
  /** Class names, index = class id. */
  labels: Type.Optional(Strings),
  inputs: Type.Optional(Type.Array(InputConfig, { [ERROR_MESSAGE]: 'must be an array' })),
  /** Prediction cache of this version (docs/cache.md): `{ "ttlSeconds": 3600, "maxEntries": 100000 }`. Default: off. */
  cache: Type.Optional(CacheConfig),
  /** onnxruntime session options of this version, over the worker's defaults (see OnnxRuntimeConfig). */
  onnxruntime: Type.Optional(OnnxRuntimeConfig),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be a JSON object' });
export type ModelConfig = Static<typeof ModelConfig>;

/** The compiled check of `config.json` content. */
export const modelConfigValidator = compileValidator(ModelConfig);
