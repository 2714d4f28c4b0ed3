/** The forms `predict` and `submit` take inputs in, normalised to prepared tensors. */
import type { InferenceRequest } from '@inferq/contract';
import { InferqClientError } from './errors.js';
import { isTypedArray, prepareTensor, type NestedArray, type PreparedTensor, type TensorInput, type TypedArray } from './tensor.js';

/**
 * Inputs of a prediction: a list of named tensors, a record from input name to values (a typed
 * array, nested arrays, or `{data, shape?, datatype?}`), or a whole v2 request (`{inputs: [...]}`,
 * sent as it is apart from the options' parameters).
 */
export type PredictInputs =
  | readonly TensorInput[]
  | Readonly<Record<string, TypedArray | NestedArray | Omit<TensorInput, 'name'>>>
  | InferenceRequest;

/** Is this a whole v2 request rather than a record of inputs? */
export function isInferenceRequest(inputs: PredictInputs): inputs is InferenceRequest {
  return !Array.isArray(inputs) && typeof inputs === 'object' && inputs !== null
    && Array.isArray((inputs as { inputs?: unknown }).inputs)
    && (inputs as { inputs: unknown[] }).inputs.every((i) => typeof i === 'object' && i !== null && typeof (i as { name?: unknown }).name === 'string');
}

/** Normalises `inputs` to tensors (shape and datatype fixed, values flat). */
export function toTensors(inputs: PredictInputs): PreparedTensor[] {
  if (inputs === null || typeof inputs !== 'object') throw new InferqClientError('INVALID_ARGUMENT', 'inputs must be an array of tensors, a record of input name to values, or a v2 request');
  if (Array.isArray(inputs)) return (inputs as TensorInput[]).map(prepareTensor);
  if (isInferenceRequest(inputs)) {
    return inputs.inputs.map((i) => prepareTensor({ name: i.name, data: i.data as NestedArray, shape: i.shape, datatype: i.datatype, ...(i.parameters ? { parameters: i.parameters } : {}) }));
  }
  const entries = Object.entries(inputs as Record<string, TypedArray | NestedArray | Omit<TensorInput, 'name'>>);
  if (entries.length === 0) throw new InferqClientError('INVALID_ARGUMENT', 'inputs is empty');
  return entries.map(([name, value]) => (isTypedArray(value) || Array.isArray(value)
    ? prepareTensor({ name, data: value as TypedArray | NestedArray })
    : prepareTensor({ ...(value as Omit<TensorInput, 'name'>), name })));
}
