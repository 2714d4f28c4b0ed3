import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dryRun, dryRunInputs } from './dry-run.js';

describe('dryRunInputs', () => {
  it('gives a zero-row batch to batching models, inner dynamic dims set to 1', () => {
    const [features, text] = dryRunInputs([
      { name: 'features', datatype: 'FP32', shape: [-1, 4] },
      { name: 'text', datatype: 'BYTES', shape: [-1, -1] },
    ], true);
    assert.deepEqual(features!.shape, [0, 4]);
    assert.ok(features!.data instanceof Float32Array);
    assert.equal(features!.data.length, 0);
    assert.deepEqual(text!.shape, [0, 1]);
    assert.deepEqual(text!.data, []);
  });
  it('gives one zero item to models that do not batch', () => {
    const [image] = dryRunInputs([{ name: 'image', datatype: 'UINT8', shape: [3, -1, 2] }], false);
    assert.deepEqual(image!.shape, [3, 1, 2]);
    assert.deepEqual([...(image!.data as Uint8Array)], [0, 0, 0, 0, 0, 0]);
  });
});

describe('dryRun', () => {
  const inputs = [{ name: 'x', datatype: 'FP32' as const, shape: [-1, 2] }];
  it('passes on a zero batch, or on one row when zero rows trip the model', async () => {
    const seen: number[] = [];
    await dryRun({ run: async (t) => { seen.push(t[0]!.shape[0]!); } }, inputs, true);
    assert.deepEqual(seen, [0]);
    seen.length = 0;
    await dryRun({ run: async (t) => { seen.push(t[0]!.shape[0]!); if (t[0]!.shape[0] === 0) throw new Error('reshape'); } }, inputs, true);
    assert.deepEqual(seen, [0, 1]);
  });
  it('fails with the zero-batch error when both fail', async () => {
    await assert.rejects(dryRun({ run: async (t) => { throw new Error(`bad ${t[0]!.shape[0]}`); } }, inputs, true), /bad 0/);
  });
});
