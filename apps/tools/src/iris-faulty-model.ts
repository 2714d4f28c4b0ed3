/**
 * A deliberately faulty iris version for rollout demos and tests, derived from a working iris
 * ONNX model (models/iris/1) so it has the same input and output signature:
 *
 * - it **disagrees**: the versicolor and virginica columns of the last layer are swapped, so on
 *   those inputs it answers the other class (agreement with the original ≈ the setosa share);
 * - it **fails**: rows with sepal_length above {@link FAULTY_SEPAL_LENGTH} make the model raise an
 *   error (a Gather whose index is out of bounds), so those predictions end `failed`
 *   (INFERENCE_FAILED) and the batch isolation keeps their neighbours working.
 *
 *   features ─Gather(col 0)─Greater(7)─Cast─Mul(10)─► idx ─Gather(zeros[3], idx)─Unsqueeze─┐
 *   original graph … ─Add(bias)─► logits ─────────────────────────────────────────────Add─► Softmax …
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** Rows with a sepal length above this (cm) fail in the faulty model. */
export const FAULTY_SEPAL_LENGTH = 7.0;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, dims: number[], values: readonly number[]): OnnxTypes.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, dataType: FLOAT, rawData: bytes };
}

function int64Tensor(name: string, dims: number[], values: readonly number[]): OnnxTypes.ITensorProto {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims, dataType: INT64, rawData: bytes };
}

/** Float32 values of a raw-data initializer. */
function floatsOf(tensor: OnnxTypes.ITensorProto): number[] {
  const raw = tensor.rawData!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/**
 * The faulty model's bytes from a working iris model's bytes (the graph built by
 * iris-onnx-export.ts: initializers `weights` [4, 3] and `bias` [3], node `add_bias` → `logits`).
 * Deterministic: the same input gives the same bytes.
 */
export function makeFaultyIrisModel(original: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(original);
  const graph = model.graph!;
  const init = (name: string) => {
    const found = graph.initializer!.find((t) => t.name === name);
    if (!found) throw new Error(`makeFaultyIrisModel: the model has no initializer "${name}" (not an iris model of iris-onnx-export.ts)`);
    return found;
  };
  const weights = init('weights');
  const bias = init('bias');
  const [rows, columns] = weights.dims!.map(Number) as [number, number];
  if (columns !== 3) throw new Error('makeFaultyIrisModel: expects 3 classes');
  // Swap classes 1 and 2 (versicolor ⇄ virginica).
  const permutation = [0, 2, 1];
  const w = floatsOf(weights);
  const swapped = Array.from({ length: rows * columns }, (_, i) => w[Math.floor(i / columns) * columns + permutation[i % columns]!]!);
  const b = floatsOf(bias);
  graph.initializer = graph.initializer!.map((t) => {
    if (t.name === 'weights') return floatTensor('weights', [rows, columns], swapped);
    if (t.name === 'bias') return floatTensor('bias', [columns], permutation.map((p) => b[p]!));
    return t;
  });
  graph.initializer.push(
    int64Tensor('fault_column', [], [0]),
    floatTensor('fault_threshold', [], [FAULTY_SEPAL_LENGTH]),
    int64Tensor('fault_step', [], [10]),
    floatTensor('fault_zeros', [3], [0, 0, 0]),
    int64Tensor('fault_axes', [1], [1]),
  );
  const addBias = graph.node!.findIndex((n) => n.name === 'add_bias');
  if (addBias < 0) throw new Error('makeFaultyIrisModel: the model has no node "add_bias"');
  graph.node![addBias] = { ...graph.node![addBias]!, output: ['logits_clean'] };
  const fault: OnnxTypes.INodeProto[] = [
    { name: 'fault_sepal', opType: 'Gather', input: ['features', 'fault_column'], output: ['fault_sepal_length'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    { name: 'fault_test', opType: 'Greater', input: ['fault_sepal_length', 'fault_threshold'], output: ['fault_flag'] },
    { name: 'fault_cast', opType: 'Cast', input: ['fault_flag'], output: ['fault_flag_int'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: INT64 }] },
    { name: 'fault_index', opType: 'Mul', input: ['fault_flag_int', 'fault_step'], output: ['fault_idx'] },
    // Index 10 of a 3-element tensor: onnxruntime raises "indices element out of data bounds".
    { name: 'fault_gather', opType: 'Gather', input: ['fault_zeros', 'fault_idx'], output: ['fault_offset'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
    { name: 'fault_unsqueeze', opType: 'Unsqueeze', input: ['fault_offset', 'fault_axes'], output: ['fault_offset_column'] },
    { name: 'fault_add', opType: 'Add', input: ['logits_clean', 'fault_offset_column'], output: ['logits'] },
  ];
  graph.node!.splice(addBias + 1, 0, ...fault);
  graph.name = 'iris_classifier_faulty';
  return onnx.ModelProto.encode(model).finish();
}
