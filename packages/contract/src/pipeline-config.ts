/**
 * `pipeline.json`: a version of a model-repository entry that is a pipeline, a DAG of steps over
 * models and processors, instead of a `model.onnx` (docs/pipelines.md).
 *
 * ```json
 * { "description": "...",
 *   "inputs": [{ "name": "features", "datatype": "BYTES", "shape": [-1], "format": "named-features",
 *                "featureNames": ["sepal_length", "..."] }],
 *   "outputs": [{ "name": "output", "datatype": "BYTES", "shape": [-1], "from": "labels.output" }],
 *   "steps": [
 *     { "id": "tabular", "processor": "named-features", "options": { "featureNames": ["..."] }, "inputs": { "input": "$input.features" } },
 *     { "id": "iris", "model": "iris", "version": "1", "inputs": { "features": "tabular.output" } },
 *     { "id": "labels", "processor": "labels", "options": { "labels": ["..."] }, "inputs": { "input": "iris.probabilities" } } ] }
 * ```
 *
 * A reference is `$input.<pipeline input>` or `<step id>.<output tensor>`. A step is exactly one
 * of `model` (served through that version's micro-batcher), `processor` (built in) or `module`
 * (a JS/TS file in the version directory exporting a ProcessingStep).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DATATYPES } from './datatypes.js';
import { ERROR_MESSAGE, StringEnum, compileValidator } from './schema-validator.js';

const Name = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$', [ERROR_MESSAGE]: 'must be a name of letters, digits, _ . - (at most 128)' });
const Reference = Type.String({ pattern: '^(\\$input|[A-Za-z_][A-Za-z0-9_-]{0,63})\\.[^\\s]{1,128}$', [ERROR_MESSAGE]: 'must be "$input.<name>" or "<step id>.<output>"' });
const Shape = Type.Array(Type.Union([Type.Literal(-1), Type.Integer({ minimum: 1, maximum: 2 ** 31 })]), { [ERROR_MESSAGE]: 'must be an array of positive integers or -1' });
const Strings = Type.Array(Type.String({ minLength: 1 }), { minItems: 1, [ERROR_MESSAGE]: 'must be a non-empty array of strings' });

/** One declared pipeline input: its v2 signature and, for BYTES inputs, what the strings hold. */
export const PipelineInput = Type.Object({
  name: Name,
  datatype: StringEnum(DATATYPES, { [ERROR_MESSAGE]: `must be one of ${DATATYPES.join(', ')}` }),
  shape: Shape,
  /**
   * `named-features`: each string is a JSON object of numbers named by `featureNames`;
   * `image`: each string is the base64 of a PNG, JPEG or WebP image. Checked by the API at submit.
   */
  format: Type.Optional(StringEnum(['named-features', 'image'] as const, { [ERROR_MESSAGE]: 'must be named-features or image' })),
  featureNames: Type.Optional(Strings),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object with name, datatype and shape' });
export type PipelineInput = Static<typeof PipelineInput>;

/** One declared pipeline output and the step output it is. */
export const PipelineOutput = Type.Object({
  name: Name,
  datatype: StringEnum(DATATYPES, { [ERROR_MESSAGE]: `must be one of ${DATATYPES.join(', ')}` }),
  shape: Shape,
  from: Reference,
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object with name, datatype, shape and from' });
export type PipelineOutput = Static<typeof PipelineOutput>;

/** One step of the graph. */
export const PipelineStep = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,63}$', [ERROR_MESSAGE]: 'must be an id of letters, digits, _ - (at most 64)' }),
  model: Type.Optional(Type.String({ [ERROR_MESSAGE]: 'must be a model name' })),
  /** The model's version; default the latest at load. */
  version: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', [ERROR_MESSAGE]: 'must be a positive integer string' })),
  processor: Type.Optional(Type.String({ [ERROR_MESSAGE]: 'must be a processor name' })),
  /** Path of a custom step module, relative to the version directory (inside it). */
  module: Type.Optional(Type.String({ pattern: '^\\./[A-Za-z0-9_./-]+\\.(m?js|ts)$', [ERROR_MESSAGE]: 'must be a relative path like "./steps/name.js" (.js, .mjs or .ts)' })),
  options: Type.Optional(Type.Object({}, { additionalProperties: true, [ERROR_MESSAGE]: 'must be an object' })),
  /** The step's inputs by the name the step reads them under. */
  inputs: Type.Record(Type.String(), Reference, { [ERROR_MESSAGE]: 'must be an object of name → reference' }),
  /** Time limit of a processor or module step, ms. Default 10000. */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000, [ERROR_MESSAGE]: 'must be an integer in [1, 600000]' })),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object with an id and inputs' });
export type PipelineStep = Static<typeof PipelineStep>;

/** The whole `pipeline.json`. */
export const PipelineConfig = Type.Object({
  description: Type.Optional(Type.String({ [ERROR_MESSAGE]: 'must be a string' })),
  /** Most rows one request may carry (the batch dimension of every input). Default 32. */
  maxBatchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, [ERROR_MESSAGE]: 'must be an integer in [1, 4096]' })),
  /** Most predictions waiting in the pipeline's queue; default the API's MAX_QUEUE_SIZE. */
  maxQueueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, [ERROR_MESSAGE]: 'must be an integer in [1, 10000000]' })),
  inputs: Type.Array(PipelineInput, { minItems: 1, [ERROR_MESSAGE]: 'must be a non-empty array' }),
  outputs: Type.Array(PipelineOutput, { minItems: 1, [ERROR_MESSAGE]: 'must be a non-empty array' }),
  steps: Type.Array(PipelineStep, { minItems: 1, maxItems: 64, [ERROR_MESSAGE]: 'must be an array of 1 to 64 steps' }),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be a JSON object' });
export type PipelineConfig = Static<typeof PipelineConfig>;

/** The compiled check of `pipeline.json` content. */
export const pipelineConfigValidator = compileValidator(PipelineConfig);

/** Default time limit of a processor or module step, ms. */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
