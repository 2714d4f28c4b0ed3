/**
 * Reads input and output signatures straight from an ONNX file (the protobuf `ModelProto`),
 * so the API can validate requests without loading onnxruntime.
 */
// onnx-proto is CommonJS; Node cannot see its named exports, so take them off the default export.
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { Datatype, TensorMetadata } from '@inferq/contract';

const { onnx } = onnxProto;

/** ONNX `TensorProto.DataType` → protocol datatype. */
const ONNX_ELEMENT_TYPES: ReadonlyMap<number, Datatype> = new Map([
  [1, 'FP32'], [2, 'UINT8'], [3, 'INT8'], [4, 'UINT16'], [5, 'INT16'], [6, 'INT32'], [7, 'INT64'],
  [8, 'BYTES'], [9, 'BOOL'], [10, 'FP16'], [11, 'FP64'], [12, 'UINT32'], [13, 'UINT64'],
]);

/** Inputs and outputs of an ONNX graph; -1 marks a dynamic (symbolic or unknown) dimension. */
export interface OnnxSignature {
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  opsets: Array<{ domain: string; version: number }>;
}

/** Parses the signature out of ONNX model bytes. Throws when the file is not an ONNX model. */
export function readOnnxSignature(bytes: Uint8Array): OnnxSignature {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('the file holds no ONNX graph');
  // Older exporters list initializers as graph inputs too; those are weights, not request inputs.
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(toTensorMetadata);
  const outputs = (graph.output ?? []).map(toTensorMetadata);
  if (inputs.length === 0) throw new Error('the ONNX graph has no inputs');
  const opsets = (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: Number(o.version ?? 0) }));
  return { inputs, outputs, opsets };
}

function toTensorMetadata(value: OnnxTypes.IValueInfoProto): TensorMetadata {
  const name = value.name ?? '';
  const tensorType = value.type?.tensorType;
  if (!tensorType) throw new Error(`graph value "${name}" is not a tensor (sequences and maps are not supported)`);
  const datatype = ONNX_ELEMENT_TYPES.get(tensorType.elemType ?? 0);
  if (!datatype) throw new Error(`graph value "${name}" has unsupported element type ${tensorType.elemType}`);
  const shape = (tensorType.shape?.dim ?? []).map((d) => {
    const fixed = d.dimValue === undefined || d.dimValue === null ? undefined : Number(d.dimValue);
    return fixed !== undefined && fixed > 0 && !d.dimParam ? fixed : -1;
  });
  return { name, datatype, shape };
}
