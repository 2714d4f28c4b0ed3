import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTensor, encodeTensor } from './binary-codec.js';
import { predictionCacheKey, type PredictionCacheKeyInput } from './prediction-cache-key.js';
import { validateInferenceRequest, type ModelSignature } from './validate-request.js';

const SIGNATURE: ModelSignature = {
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [-1, 2] },
    { name: 'b', datatype: 'INT64', shape: [-1, 1] },
    { name: 's', datatype: 'BYTES', shape: [-1] },
  ],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }, { name: 'z', datatype: 'FP32', shape: [-1] }],
  maxBatchSize: 8,
};
const A = [0.1, -2.5, 3e-7, 1e30];
const B = [7, -(2 ** 40)];
const S = ['héllo', ''];

const jsonBody = () => ({
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [2, 2], data: A },
    { name: 'b', datatype: 'INT64', shape: [2, 1], data: [[B[0]], [B[1]]] },
    { name: 's', datatype: 'BYTES', shape: [2], data: S },
  ],
});

const keyOf = (body: unknown, extra: Partial<PredictionCacheKeyInput> = {}, binary?: Buffer) => {
  const request = validateInferenceRequest(body, SIGNATURE, undefined, binary);
  return predictionCacheKey({ model: 'm', version: '1', inputs: request.inputs, outputs: request.outputs, ...extra });
};

describe('predictionCacheKey', () => {
  it('is a hex SHA-256 and deterministic', () => {
    const key = keyOf(jsonBody());
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(keyOf(jsonBody()), key);
  });

  it('does not depend on the order of inputs, of requested outputs, or of parameters', () => {
    const body = jsonBody();
    const reversed = { inputs: [...body.inputs].reverse() };
    assert.equal(keyOf(reversed), keyOf(body));
    assert.equal(keyOf({ ...body, outputs: [{ name: 'z' }, { name: 'y' }] }), keyOf({ ...body, outputs: [{ name: 'y' }, { name: 'z' }] }));
    assert.equal(keyOf(body, { parameters: { p: 1, q: 'x' } }), keyOf(body, { parameters: { q: 'x', p: 1 } }));
  });

  it('gives the JSON, base64 and binary-extension forms of one tensor the same key', () => {
    const json = keyOf(jsonBody());
    const aBytes = Buffer.from(Float32Array.from(A).buffer);
    const bBytes = Buffer.from(BigInt64Array.from(B.map(BigInt)).buffer);
    const base64 = jsonBody();
    base64.inputs[0] = { ...base64.inputs[0]!, data: aBytes.toString('base64') as unknown as number[] };
    assert.equal(keyOf(base64), json);
    const header = {
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: aBytes.byteLength } },
        { name: 'b', datatype: 'INT64', shape: [2, 1], parameters: { binary_data_size: bBytes.byteLength } },
        { name: 's', datatype: 'BYTES', shape: [2], data: S },
      ],
    };
    assert.equal(keyOf(header, {}, Buffer.concat([aBytes, bBytes])), json);
  });

  it('is the same after the queue encoding round trip (what the worker decodes)', () => {
    const request = validateInferenceRequest(jsonBody(), SIGNATURE);
    const decoded = request.inputs.map((t) => decodeTensor(JSON.parse(JSON.stringify(encodeTensor(t)))));
    assert.equal(predictionCacheKey({ model: 'm', version: '1', inputs: decoded }), keyOf(jsonBody()));
  });

  it('changes with the model, version, any value, shape, requested outputs and parameters', () => {
    const base = keyOf(jsonBody());
    const keys = new Set([base]);
    const add = (key: string, what: string) => {
      assert.ok(!keys.has(key), `${what} gave a key seen before`);
      keys.add(key);
    };
    add(keyOf(jsonBody(), { model: 'n' }), 'model');
    add(keyOf(jsonBody(), { version: '2' }), 'version');
    const value = jsonBody();
    value.inputs[0] = { ...value.inputs[0]!, data: [0.1, -2.5, 3e-7, 1e29] };
    add(keyOf(value), 'one FP32 value');
    const text = jsonBody();
    text.inputs[2] = { ...text.inputs[2]!, data: ['héllo', ' '] as unknown as number[] };
    add(keyOf(text), 'one string');
    const split = jsonBody();
    split.inputs[2] = { ...split.inputs[2]!, data: ['hé', 'llo'] as unknown as number[] };
    add(keyOf(split), 'strings split differently');
    add(keyOf({ ...jsonBody(), outputs: [{ name: 'y' }] }), 'outputs [y]');
    add(keyOf({ ...jsonBody(), outputs: [{ name: 'y' }, { name: 'z' }] }), 'outputs [y, z] (all, named)');
    add(keyOf(jsonBody(), { parameters: { p: 1 } }), 'parameter p=1');
    add(keyOf(jsonBody(), { parameters: { p: '1' } }), 'parameter p="1"');
  });

  it('tells shapes with the same bytes apart', () => {
    const tensor = { name: 'a', datatype: 'FP32' as const, data: Float32Array.from(A) };
    const key = (shape: number[]) => predictionCacheKey({ model: 'm', version: '1', inputs: [{ ...tensor, shape }] });
    assert.notEqual(key([2, 2]), key([4, 1]));
    assert.notEqual(key([2, 2]), key([1, 4]));
  });
});
