/**
 * JSON inputs: a whole v2 request (`{"inputs": [...]}`), a record of input name to (nested)
 * values, or a bare nested array for a model with one input. Datatypes come from the model.
 */
import type { PredictInputs, TensorInput } from '@inferq/client';
import type { ModelMetadata } from '@inferq/contract';
import { UsageError } from '../exit-codes.js';

/** Parses `text` (from `--data` or a file) into inputs for `metadata`'s model. */
export function inputsFromJson(text: string, metadata: ModelMetadata, source: string): PredictInputs {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(value)) {
    if (metadata.inputs.length !== 1) throw new UsageError(`${source}: a bare array needs a model with one input; ${metadata.name} has ${metadata.inputs.map((i) => i.name).join(', ')} (give {"name": values, …})`);
    return [tensorFor(metadata.inputs[0]!, value)];
  }
  if (typeof value !== 'object' || value === null) throw new UsageError(`${source} must hold a v2 request, an object of input name to values, or an array`);
  if (Array.isArray((value as { inputs?: unknown }).inputs)) return value as PredictInputs;
  return Object.entries(value as Record<string, unknown>).map(([name, data]): TensorInput => {
    const input = metadata.inputs.find((i) => i.name === name);
    if (!input) throw new UsageError(`${source}: ${metadata.name} has no input "${name}" (inputs: ${metadata.inputs.map((i) => i.name).join(', ')})`);
    if (!Array.isArray(data)) throw new UsageError(`${source}: input "${name}" must be an array`);
    return tensorFor(input, data);
  });
}

/** A tensor of the model input's datatype; a single row is given its batch dimension. */
export function tensorFor(input: ModelMetadata['inputs'][number], data: unknown[]): TensorInput {
  const depth = (v: unknown): number => (Array.isArray(v) ? 1 + depth(v[0]) : 0);
  const rows = depth(data) === input.shape.length - 1 ? [data] : data;
  return { name: input.name, datatype: input.datatype, data: rows as TensorInput['data'] };
}
