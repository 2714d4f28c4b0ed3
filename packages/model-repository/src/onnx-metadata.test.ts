import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { readOnnxSignature } from './onnx-metadata.js';

const { onnx } = onnxProto;

const modelFile = (model: string) => readFileSync(new URL(`../../../models/${model}/1/model.onnx`, import.meta.url));

/** A value-info entry: `dims` numbers are fixed sizes, strings are symbolic, null is unknown. */
function value(name: string, elemType: number, dims: Array<number | string | null>): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  };
}

/** ONNX bytes of a model with just this graph signature. */
function modelBytes(graph: OnnxTypes.IGraphProto, opsetVersion = 17): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: opsetVersion }], graph: { name: 'g', ...graph } }).finish();
}

describe('readOnnxSignature on the bundled models', () => {
  it('reads iris: features FP32 [-1, 4] → probabilities FP32 [-1, 3], label INT64 [-1]', () => {
    const signature = readOnnxSignature(modelFile('iris'));
    assert.deepEqual(signature.inputs, [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }]);
    assert.deepEqual(signature.outputs, [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      { name: 'label', datatype: 'INT64', shape: [-1] },
    ]);
    assert.ok(signature.opsets.some((o) => o.domain === '' && o.version > 0));
  });

  it('reads text-orientation from the file itself: x FP32 [-1, 3, -1, -1]', () => {
    const signature = readOnnxSignature(modelFile('text-orientation'));
    assert.deepEqual(signature.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }]);
    assert.equal(signature.outputs.length, 1);
    assert.equal(signature.outputs[0]!.datatype, 'FP32');
    assert.deepEqual(signature.outputs[0]!.shape, [-1, 2]);
  });
});

describe('readOnnxSignature on built models', () => {
  it('maps symbolic, unknown and zero dims to -1 and keeps fixed ones', () => {
    const signature = readOnnxSignature(modelBytes({ input: [value('x', 1, ['batch', 3, null, 0, 7])], output: [value('y', 1, ['batch'])] }));
    assert.deepEqual(signature.inputs[0]!.shape, [-1, 3, -1, -1, 7]);
    assert.deepEqual(signature.outputs[0]!.shape, [-1]);
  });

  it('maps every supported element type', () => {
    const types: Array<[number, string]> = [
      [1, 'FP32'], [2, 'UINT8'], [3, 'INT8'], [4, 'UINT16'], [5, 'INT16'], [6, 'INT32'], [7, 'INT64'],
      [8, 'BYTES'], [9, 'BOOL'], [10, 'FP16'], [11, 'FP64'], [12, 'UINT32'], [13, 'UINT64'],
    ];
    const signature = readOnnxSignature(modelBytes({ input: types.map(([t]) => value(`in${t}`, t, [1])), output: [value('y', 1, [1])] }));
    assert.deepEqual(signature.inputs.map((i) => [i.name, i.datatype]), types.map(([t, d]) => [`in${t}`, d]));
  });

  it('reads a scalar as shape []', () => {
    const signature = readOnnxSignature(modelBytes({ input: [value('s', 1, [])], output: [value('y', 1, [])] }));
    assert.deepEqual(signature.inputs[0]!.shape, []);
  });

  it('leaves out inputs that are initializers (weights)', () => {
    const signature = readOnnxSignature(
      modelBytes({
        input: [value('x', 1, [-1, 4]), value('W', 1, [4, 3])],
        initializer: [{ name: 'W', dataType: 1, dims: [4, 3], floatData: new Array(12).fill(0) }],
        output: [value('y', 1, [-1, 3])],
      }),
    );
    assert.deepEqual(signature.inputs.map((i) => i.name), ['x']);
  });

  it('reports the opsets', () => {
    assert.deepEqual(readOnnxSignature(modelBytes({ input: [value('x', 1, [1])], output: [] }, 11)).opsets, [{ domain: '', version: 11 }]);
  });

  it('throws on an unsupported element type, naming the value', () => {
    assert.throws(() => readOnnxSignature(modelBytes({ input: [value('c', 14, [1])], output: [] })), /graph value "c" has unsupported element type 14/);
  });

  it('throws on a value that is not a tensor, naming it', () => {
    const sequence: OnnxTypes.IValueInfoProto = { name: 'seq', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } };
    assert.throws(() => readOnnxSignature(modelBytes({ input: [value('x', 1, [1])], output: [sequence] })), /graph value "seq" is not a tensor/);
  });

  it('throws when the graph has no inputs or there is no graph', () => {
    assert.throws(() => readOnnxSignature(modelBytes({ input: [], output: [value('y', 1, [1])] })), /no inputs/);
    assert.throws(() => readOnnxSignature(new Uint8Array(0)), /no ONNX graph/);
  });

  it('throws on bytes that are not a protobuf', () => {
    assert.throws(() => readOnnxSignature(Buffer.from('this is certainly not an onnx model\n'.repeat(4))));
  });
});
