import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

describe('dryRun on a bundled model that trips on zero rows (real onnxruntime)', () => {
  it('passes on one row and leaves nothing on stderr (onnxruntime logs the expected zero-row failure otherwise)', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    // A child process: onnxruntime writes its log to file descriptor 2 from native code.
    const script = `
      import { OnnxSession } from './apps/worker/src/onnx-session.ts';
      import { dryRun } from './apps/worker/src/dry-run.ts';
      import { createLogger } from '@inferq/logger';
      const session = await OnnxSession.load('models/text-orientation/1/model.onnx', { device: { kind: 'cpu', label: 'cpu' }, intraOpThreads: 1 }, createLogger('test', 'silent'));
      const seen = [];
      await dryRun({ run: (inputs, options) => { seen.push(inputs[0].shape[0]); return session.run(inputs, options); } }, [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 48, 192] }], true);
      console.log(JSON.stringify(seen));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '[0,1]', 'the zero-row run failed and the one-row run passed');
    assert.doesNotMatch(result.stderr, /onnxruntime|ExecuteKernel|Reshape/);
  });
});
