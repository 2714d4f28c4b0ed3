/**
 * A tiny model whose failure depends on the data, not the shape: `embedding = Gather(table, ids)`
 * over a 10-row table. Every request has the same shape `[rows, 1]` (so valid and bad ones share
 * batches), and onnxruntime throws for an id outside 0–9 ("indices element out of data bounds").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** Rows in the lookup table: ids 0–9 are valid. */
export const LOOKUP_ROWS = 10;

/** The embedding of id `i`: `[i, 100 + i]`. */
export const lookupEmbedding = (id: number): number[] => [id, 100 + id];

function encodeLookupModel(): Uint8Array {
  const table = new Uint8Array(LOOKUP_ROWS * 2 * 4);
  const view = new DataView(table.buffer);
  for (let i = 0; i < LOOKUP_ROWS; i++) lookupEmbedding(i).forEach((v, k) => view.setFloat32((i * 2 + k) * 4, v, true));
  const info = (name: string, elemType: number, dims: Array<number | string>): OnnxTypes.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'inferq-test',
    graph: {
      name: 'lookup',
      initializer: [{ name: 'table', dims: [LOOKUP_ROWS, 2], dataType: onnx.TensorProto.DataType.FLOAT, rawData: table }],
      node: [{ name: 'gather', opType: 'Gather', input: ['table', 'ids'], output: ['embedding'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] }],
      input: [info('ids', onnx.TensorProto.DataType.INT64, ['batch', 1])],
      output: [info('embedding', onnx.TensorProto.DataType.FLOAT, ['batch', 1, 2])],
    },
  }).finish();
}

/** Writes `<repository>/<name>/1/model.onnx` (+ `config.json` when given). */
export function writeLookupModel(repository: string, name = 'lookup', config?: Record<string, unknown>): void {
  const dir = join(repository, name, '1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), encodeLookupModel());
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
}
