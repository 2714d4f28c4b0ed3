import { InferqError, isDatatype, type TensorMetadata } from '@inferq/contract';
import { BinarySections } from './binary-request.js';
import { bytesFromBase64, valuesFromBytes } from './binary-values.js';
import { flattenTensorData } from './flatten.js';
import { valuesFromJson } from './json-values.js';
import { elementCount, type Tensor, type TensorValues } from './tensor.js';

/** What a request is checked against: the model's signature and its batching limit. */
export interface ModelSignature {
  inputs: readonly TensorMetadata[];
  outputs: readonly TensorMetadata[];
  /** Largest batch dimension accepted; 0 means the model does not batch (shapes are taken whole). */
  maxBatchSize: number;
}

/** Bounds that protect the service from hostile requests. */
export interface ValidationLimits {
  /** Most tensor elements in one request, all inputs together. @defaultValue 4_194_304 */
  maxElements: number;
}

export const DEFAULT_VALIDATION_LIMITS: Readonly<ValidationLimits> = Object.freeze({ maxElements: 4_194_304 });

/** A request that passed validation: tensors in typed storage, ready to encode for the queue. */
export interface ValidatedRequest {
  requestId?: string;
  inputs: Tensor[];
  /** Requested outputs; undefined = all. */
  outputs?: string[];
  /** Rows along the batch dimension (1 for models that do not batch). */
  batchSize: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (message: string): never => {
  throw new InferqError('INVALID_REQUEST', message);
};

/**
 * Checks an Open Inference Protocol v2 request against a model signature and converts its data.
 * Every failure is an `InferqError` whose message names the offending field or input.
 */
export function validateInferenceRequest(
  body: unknown,
  signature: ModelSignature,
  limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS,
  binary?: Buffer,
): ValidatedRequest {
  const sections = binary ? new BinarySections(binary) : undefined;
  if (!isRecord(body)) invalid('body must be a JSON object with an "inputs" array');
  const request = body as Record<string, unknown>;
  if (request.id !== undefined && typeof request.id !== 'string') invalid('"id" must be a string');
  if (typeof request.id === 'string' && request.id.length > 256) invalid('"id" must be at most 256 characters');
  if (request.parameters !== undefined && !isRecord(request.parameters)) invalid('"parameters" must be an object');
  if (!Array.isArray(request.inputs)) invalid('"inputs" must be an array');
  const rawInputs = request.inputs as unknown[];
  if (rawInputs.length === 0) invalid('"inputs" must not be empty');
  if (rawInputs.length > signature.inputs.length) {
    throw new InferqError('UNKNOWN_INPUT', `the request has ${rawInputs.length} inputs but the model takes ${signature.inputs.length}`);
  }

  const batching = signature.maxBatchSize > 0;
  const byName = new Map(signature.inputs.map((m) => [m.name, m]));
  const seen = new Set<string>();
  const inputs: Tensor[] = [];
  let elementsSoFar = 0;
  let batchSize: number | undefined;

  for (const [index, raw] of rawInputs.entries()) {
    const where = `inputs[${index}]`;
    if (!isRecord(raw)) invalid(`${where} must be an object`);
    const input = raw as Record<string, unknown>;
    if (typeof input.name !== 'string') invalid(`${where}.name must be a string`);
    const name = input.name as string;
    const meta = byName.get(name);
    if (!meta) {
      throw new InferqError('UNKNOWN_INPUT', `input "${name.slice(0, 64)}" is not an input of this model (expected ${[...byName.keys()].join(', ')})`);
    }
    if (seen.has(name)) throw new InferqError('DUPLICATE_INPUT', `input "${name}" appears more than once`);
    seen.add(name);
    if (!isDatatype(input.datatype)) invalid(`input "${name}": datatype must be one of the v2 datatypes (e.g. FP32)`);
    if (input.datatype !== meta.datatype) {
      throw new InferqError('DATATYPE_MISMATCH', `input "${name}": datatype ${String(input.datatype)} does not match the model's ${meta.datatype}`);
    }
    const shape = checkShape(input.shape, meta, name, batching);
    const declared = elementCount(shape);
    elementsSoFar += declared;
    if (elementsSoFar > limits.maxElements) {
      throw new InferqError('TENSOR_TOO_LARGE', `input "${name}": the request declares more than ${limits.maxElements} elements`);
    }
    const rows = batching ? shape[0]! : 1;
    if (batchSize === undefined) batchSize = rows;
    else if (rows !== batchSize) {
      throw new InferqError('SHAPE_MISMATCH', `input "${name}": batch dimension ${rows} differs from the other inputs' ${batchSize}`);
    }
    inputs.push({ name, datatype: meta.datatype, shape, data: readValues(input, name, meta.datatype, shape, declared, sections) });
  }
  sections?.assertConsumed();

  for (const meta of signature.inputs) {
    if (!seen.has(meta.name)) throw new InferqError('MISSING_INPUT', `input "${meta.name}" is required`);
  }
  const resolvedBatch = batchSize ?? 1;
  if (batching && resolvedBatch > signature.maxBatchSize) {
    throw new InferqError('BATCH_TOO_LARGE', `batch dimension ${resolvedBatch} exceeds the model's max batch size ${signature.maxBatchSize}`);
  }

  const result: ValidatedRequest = { inputs, batchSize: resolvedBatch };
  if (typeof request.id === 'string') result.requestId = request.id;
  if (request.outputs !== undefined) result.outputs = checkOutputs(request.outputs, signature);
  return result;
}

/**
 * The values of one input, from wherever the request put them: raw bytes of the binary data
 * extension (`parameters.binary_data_size`), a base64 string, or a JSON array (flat or nested).
 */
function readValues(
  input: Record<string, unknown>, name: string, datatype: TensorMetadata['datatype'], shape: number[], declared: number, sections: BinarySections | undefined,
): TensorValues {
  const binarySize = isRecord(input.parameters) ? input.parameters.binary_data_size : undefined;
  if (binarySize !== undefined) {
    if (!sections) invalid(`input "${name}": parameters.binary_data_size needs a binary body (Content-Type application/octet-stream with Inference-Header-Content-Length)`);
    if (input.data !== undefined) invalid(`input "${name}": give either data or parameters.binary_data_size, not both`);
    return valuesFromBytes(sections!.take(binarySize, name), datatype, declared, name);
  }
  if (typeof input.data === 'string') return valuesFromBytes(bytesFromBase64(input.data, name), datatype, declared, name);
  if (!Array.isArray(input.data)) invalid(`input "${name}": data must be an array (or a base64 string of little-endian bytes)`);
  const flat = flattenTensorData(input.data as unknown[], Math.max(1, shape.length), name, declared, shape);
  if (flat.length !== declared) {
    throw new InferqError('ELEMENT_COUNT_MISMATCH', `input "${name}": data has ${flat.length} values but shape [${shape.join(', ')}] needs ${declared}`);
  }
  return valuesFromJson(flat, datatype, name);
}

function checkShape(value: unknown, meta: TensorMetadata, name: string, batching: boolean): number[] {
  if (!Array.isArray(value) || value.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    return invalid(`input "${name}": shape must be an array of non-negative integers`);
  }
  const shape = value as number[];
  if (shape.length !== meta.shape.length) {
    throw new InferqError('SHAPE_MISMATCH', `input "${name}": rank ${shape.length} (shape [${shape.join(', ')}]) does not match the model's rank ${meta.shape.length} ([${meta.shape.join(', ')}])`);
  }
  for (const [axis, expected] of meta.shape.entries()) {
    const actual = shape[axis]!;
    if (expected >= 0 && actual !== expected) {
      throw new InferqError('SHAPE_MISMATCH', `input "${name}": dimension ${axis} is ${actual} but the model needs ${expected} (model shape [${meta.shape.join(', ')}])`);
    }
    if (actual === 0) {
      throw new InferqError('SHAPE_MISMATCH', `input "${name}": dimension ${axis} must be at least 1`);
    }
  }
  if (batching && shape.length === 0) invalid(`input "${name}": a batching model's inputs need a batch dimension`);
  return shape;
}

function checkOutputs(value: unknown, signature: ModelSignature): string[] {
  if (!Array.isArray(value)) return invalid('"outputs" must be an array of { "name": ... } objects');
  const known = new Set(signature.outputs.map((o) => o.name));
  const names: string[] = [];
  for (const [index, raw] of (value as unknown[]).entries()) {
    if (!isRecord(raw) || typeof raw.name !== 'string') invalid(`outputs[${index}].name must be a string`);
    const name = (raw as { name: string }).name;
    if (!known.has(name)) {
      throw new InferqError('UNKNOWN_OUTPUT', `output "${name.slice(0, 64)}" is not an output of this model (expected ${[...known].join(', ')})`);
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
