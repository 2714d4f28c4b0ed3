/**
 * `config.json` beside a model version: serving settings the ONNX file cannot say.
 *
 * ```json
 * { "description": "...", "maxBatchSize": 32, "maxQueueDelayMs": 0, "maxQueueSize": 1000,
 *   "labels": ["cat", "dog"], "inputs": [{ "name": "x", "shape": [-1, 3, 48, 192] }] }
 * ```
 */

/** One input's override: fixes dynamic dimensions, names features for monitoring. */
export interface InputConfig {
  name: string;
  /** Full shape with -1 for the batch (and any still-dynamic) dimension; fixed dims must agree with the ONNX file. */
  shape?: number[];
  featureNames?: string[];
}

/** Serving settings of one model version. */
export interface ModelConfig {
  description?: string;
  /**
   * Most rows in one batch; 0 turns batching off (the model's first dimension is not a batch).
   * @defaultValue 32 when every input's first dimension is dynamic, else 0
   */
  maxBatchSize?: number;
  /**
   * How long the oldest queued request may wait for a batch to fill, in ms. 0 never waits:
   * a free worker runs whatever is already there.
   * @defaultValue 0
   */
  maxQueueDelayMs?: number;
  /**
   * Most predictions waiting in the model's queue (not yet taken by a worker); beyond it the API
   * answers 429 QUEUE_FULL, as Triton's `max_queue_size`. The queue is per model: each version's
   * setting applies to requests for that version.
   * @defaultValue the API's MAX_QUEUE_SIZE
   */
  maxQueueSize?: number;
  /** Batch sizes cut at once without waiting out the delay (Triton's preferred_batch_size). */
  preferredBatchSizes?: number[];
  /**
   * Learn the batch cost (t ≈ a·n + b) and wait, up to maxQueueDelayMs, only while waiting pays.
   * @defaultValue false
   */
  adaptiveBatching?: boolean;
  /** Class names, index = class id. */
  labels?: string[];
  inputs?: InputConfig[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIntegerIn = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const KNOWN_INPUT_FIELDS: ReadonlySet<string> = new Set(['name', 'shape', 'featureNames']);

/** Validates parsed `config.json` content; errors name the field. */
export function parseModelConfig(value: unknown, source: string): ModelConfig {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  if (!isRecord(value)) return fail('must be a JSON object');
  const config: ModelConfig = {};
  const known = new Set(['description', 'maxBatchSize', 'maxQueueDelayMs', 'maxQueueSize', 'preferredBatchSizes', 'adaptiveBatching', 'labels', 'inputs']);
  for (const key of Object.keys(value)) if (!known.has(key)) fail(`unknown field "${key}" (known: ${[...known].join(', ')})`);
  if (value.description !== undefined) {
    if (typeof value.description !== 'string') fail('"description" must be a string');
    config.description = value.description as string;
  }
  if (value.maxBatchSize !== undefined) {
    if (!isIntegerIn(value.maxBatchSize, 0, 65_536)) fail('"maxBatchSize" must be an integer in [0, 65536]');
    config.maxBatchSize = value.maxBatchSize as number;
  }
  if (value.maxQueueDelayMs !== undefined) {
    if (typeof value.maxQueueDelayMs !== 'number' || !(value.maxQueueDelayMs >= 0 && value.maxQueueDelayMs <= 60_000)) {
      fail('"maxQueueDelayMs" must be a number in [0, 60000]');
    }
    config.maxQueueDelayMs = value.maxQueueDelayMs as number;
  }
  if (value.maxQueueSize !== undefined) {
    if (!isIntegerIn(value.maxQueueSize, 1, 10_000_000)) fail('"maxQueueSize" must be an integer in [1, 10000000]');
    config.maxQueueSize = value.maxQueueSize as number;
  }
  if (value.preferredBatchSizes !== undefined) {
    if (!Array.isArray(value.preferredBatchSizes) || value.preferredBatchSizes.some((n) => !isIntegerIn(n, 1, 65_536))) {
      fail('"preferredBatchSizes" must be an array of integers in [1, 65536]');
    }
    config.preferredBatchSizes = value.preferredBatchSizes as number[];
  }
  if (value.adaptiveBatching !== undefined) {
    if (typeof value.adaptiveBatching !== 'boolean') fail('"adaptiveBatching" must be true or false');
    config.adaptiveBatching = value.adaptiveBatching as boolean;
  }
  if (value.labels !== undefined) {
    if (!Array.isArray(value.labels) || value.labels.some((l) => typeof l !== 'string')) fail('"labels" must be an array of strings');
    config.labels = value.labels as string[];
  }
  if (value.inputs !== undefined) {
    if (!Array.isArray(value.inputs)) fail('"inputs" must be an array');
    config.inputs = (value.inputs as unknown[]).map((raw, i) => {
      if (!isRecord(raw) || typeof raw.name !== 'string') return fail(`inputs[${i}].name must be a string`);
      for (const key of Object.keys(raw)) if (!KNOWN_INPUT_FIELDS.has(key)) fail(`inputs[${i}]: unknown field "${key}" (known: ${[...KNOWN_INPUT_FIELDS].join(', ')})`);
      const input: InputConfig = { name: raw.name };
      if (raw.shape !== undefined) {
        if (!Array.isArray(raw.shape) || raw.shape.some((d) => !isIntegerIn(d, -1, 2 ** 31) || d === 0)) {
          fail(`inputs[${i}].shape must be an array of positive integers or -1`);
        }
        input.shape = raw.shape as number[];
      }
      if (raw.featureNames !== undefined) {
        if (!Array.isArray(raw.featureNames) || raw.featureNames.some((n) => typeof n !== 'string')) fail(`inputs[${i}].featureNames must be an array of strings`);
        input.featureNames = raw.featureNames as string[];
      }
      return input;
    });
  }
  return config;
}
