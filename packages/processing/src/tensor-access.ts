/** Small helpers the built-in processors share to read their input tensors. */
import { InferqError } from '@inferq/contract';
import type { Tensor } from '@inferq/tensor';
import type { NamedTensors } from './step.js';

/** The tensor a single-input processor reads (`input`), or the only one it was given. */
export function theInput(inputs: NamedTensors, stepId: string): Tensor {
  const named = inputs.input;
  if (named) return named;
  const all = Object.values(inputs);
  if (all.length !== 1) throw new Error(`step "${stepId}" takes one input named "input", got ${Object.keys(inputs).join(', ') || 'none'}`);
  return all[0]!;
}

/** A numeric tensor's values as float64 numbers (64-bit integers converted). */
export function numbers(tensor: Tensor): Float64Array {
  if (tensor.datatype === 'BYTES' || tensor.datatype === 'FP16') {
    throw new Error(`tensor "${tensor.name}" is ${tensor.datatype}; a numeric tensor (FP32, FP64, integers) is needed`);
  }
  const out = new Float64Array(tensor.data.length);
  const data = tensor.data as ArrayLike<number | bigint>;
  for (let i = 0; i < out.length; i++) out[i] = Number(data[i]);
  return out;
}

/** Rows and columns of a rank-2 tensor (a rank-1 tensor is one row). */
export function matrixShape(tensor: Tensor): { rows: number; cols: number } {
  if (tensor.shape.length === 2) return { rows: tensor.shape[0]!, cols: tensor.shape[1]! };
  if (tensor.shape.length === 1) return { rows: 1, cols: tensor.shape[0]! };
  throw new Error(`tensor "${tensor.name}" has shape [${tensor.shape.join(', ')}]; [rows, classes] is needed`);
}

/** The strings of a BYTES tensor; throws INVALID_REQUEST otherwise. */
export function strings(tensor: Tensor): string[] {
  if (tensor.datatype !== 'BYTES') throw new InferqError('INVALID_REQUEST', `input "${tensor.name}" must be BYTES, not ${tensor.datatype}`);
  return tensor.data as string[];
}
