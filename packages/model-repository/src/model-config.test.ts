import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BATCH_SIZE } from '@inferq/contract';
import { parseModelConfig } from './model-config.js';

const SOURCE = '/models/iris/1/config.json';

/** Asserts that parsing `value` fails with a message that starts with the source and matches `pattern`. */
const fails = (value: unknown, pattern: RegExp) =>
  assert.throws(
    () => parseModelConfig(value, SOURCE),
    (error: unknown) => error instanceof Error && error.message.startsWith(`${SOURCE}: `) && pattern.test(error.message),
    JSON.stringify(value),
  );

describe('parseModelConfig', () => {
  it('reads a full config', () => {
    const value = {
      description: 'Iris classifier',
      maxBatchSize: 64,
      maxQueueDelayMs: 2.5,
      maxQueueSize: 500,
      labels: ['setosa', 'versicolor', 'virginica'],
      inputs: [
        { name: 'features', shape: [-1, 4], featureNames: ['a', 'b', 'c', 'd'] },
        { name: 'other' },
      ],
    };
    assert.deepEqual(parseModelConfig(value, SOURCE), value);
  });

  it('reads an empty config as no settings', () => {
    assert.deepEqual(parseModelConfig({}, SOURCE), {});
  });

  it('reads the bundled configs', async () => {
    const { readFileSync } = await import('node:fs');
    for (const model of ['iris', 'text-orientation']) {
      const path = new URL(`../../../models/${model}/1/config.json`, import.meta.url);
      const config = parseModelConfig(JSON.parse(readFileSync(path, 'utf8')), model);
      assert.ok(config.maxBatchSize !== undefined && config.maxBatchSize > 0, model);
      assert.ok(config.labels && config.labels.length >= 2, model);
    }
  });

  it('refuses a value that is not an object', () => {
    for (const value of [null, [], 'x', 3, true]) fails(value, /must be a JSON object/);
  });

  it('refuses unknown top-level fields, naming them', () => {
    fails({ maxBatch: 8 }, /unknown field "maxBatch" \(known: description, maxBatchSize, maxQueueDelayMs, maxQueueSize, preferredBatchSizes, adaptiveBatching, labels, inputs, cache, onnxruntime\)/);
    fails({ description: 'ok', max_batch_size: 8 }, /unknown field "max_batch_size"/);
  });

  it('reads onnxruntime session options, and refuses bad ones naming the field', () => {
    const onnxruntime = { intraOpThreads: 1, interOpThreads: 2, graphOptimizationLevel: 'extended', executionMode: 'parallel', enableCpuMemArena: false, enableMemPattern: true, allowSpinning: true };
    assert.deepEqual(parseModelConfig({ onnxruntime }, SOURCE), { onnxruntime });
    fails({ onnxruntime: { intraOpThreads: 0 } }, /onnxruntime\.intraOpThreads must be an integer in \[1, 1024\]/);
    fails({ onnxruntime: { graphOptimizationLevel: 'max' } }, /onnxruntime\.graphOptimizationLevel must be "disabled", "basic", "extended" or "all"/);
    fails({ onnxruntime: { executionMode: 'fast' } }, /onnxruntime\.executionMode must be "sequential" or "parallel"/);
    fails({ onnxruntime: { enableCpuMemArena: 'no' } }, /onnxruntime\.enableCpuMemArena must be true or false/);
    fails({ onnxruntime: { intra_op_threads: 1 } }, /"onnxruntime": unknown field "intra_op_threads" \(known: intraOpThreads, interOpThreads/);
    fails({ onnxruntime: 4 }, /"onnxruntime" must be an object of onnxruntime session options/);
  });

  it('refuses unknown fields in an input, naming them', () => {
    fails({ inputs: [{ name: 'x', shap: [-1, 4] }] }, /inputs\[0\]: unknown field "shap"/);
    fails({ inputs: [{ name: 'x' }, { name: 'y', feature_names: ['a'] }] }, /inputs\[1\]: unknown field "feature_names"/);
  });

  it('checks description', () => {
    fails({ description: 3 }, /"description" must be a string/);
  });

  it('checks maxBatchSize is an integer in [0, MAX_BATCH_SIZE], the limit of run-time changes too', () => {
    assert.equal(MAX_BATCH_SIZE, 4_096);
    for (const maxBatchSize of [-1, 1.5, MAX_BATCH_SIZE + 1, '8', null]) fails({ maxBatchSize }, /"maxBatchSize" must be an integer in \[0, 4096\]/);
    assert.equal(parseModelConfig({ maxBatchSize: 0 }, SOURCE).maxBatchSize, 0);
    assert.equal(parseModelConfig({ maxBatchSize: MAX_BATCH_SIZE }, SOURCE).maxBatchSize, MAX_BATCH_SIZE);
  });

  it('checks maxQueueDelayMs is a number in [0, 60000]', () => {
    for (const maxQueueDelayMs of [-1, 60_001, Number.NaN, Infinity, '5', null]) fails({ maxQueueDelayMs }, /"maxQueueDelayMs" must be a number in \[0, 60000\]/);
    assert.equal(parseModelConfig({ maxQueueDelayMs: 0 }, SOURCE).maxQueueDelayMs, 0);
    assert.equal(parseModelConfig({ maxQueueDelayMs: 60_000 }, SOURCE).maxQueueDelayMs, 60_000);
    assert.equal(parseModelConfig({ maxQueueDelayMs: 0.5 }, SOURCE).maxQueueDelayMs, 0.5);
  });

  it('checks maxQueueSize is an integer in [1, 10000000]', () => {
    for (const maxQueueSize of [0, -1, 1.5, 10_000_001, '8', null]) fails({ maxQueueSize }, /"maxQueueSize" must be an integer in \[1, 10000000\]/);
    assert.equal(parseModelConfig({ maxQueueSize: 1 }, SOURCE).maxQueueSize, 1);
  });

  it('checks labels', () => {
    for (const labels of ['a', [1, 2], ['a', null], { 0: 'a' }]) fails({ labels }, /"labels" must be an array of strings/);
    assert.deepEqual(parseModelConfig({ labels: [] }, SOURCE).labels, []);
  });

  it('checks inputs and names the bad entry', () => {
    fails({ inputs: { name: 'x' } }, /"inputs" must be an array/);
    fails({ inputs: [{ name: 'x' }, 'y'] }, /inputs\[1\] must be an object with a "name"/);
    fails({ inputs: [{ name: 3 }] }, /inputs\[0\]\.name must be a string/);
    fails({ inputs: [{ shape: [-1] }] }, /inputs\[0\]\.name must be a string/);
  });

  it('checks input shapes: positive integers or -1', () => {
    for (const shape of [[-1, 0], [-2, 4], [-1, 1.5], '[-1, 4]', [-1, '4'], [2 ** 31 + 1]]) {
      fails({ inputs: [{ name: 'x', shape }] }, /inputs\[0\]\.shape must be an array of positive integers or -1/);
    }
    assert.deepEqual(parseModelConfig({ inputs: [{ name: 'x', shape: [-1, 3, 48, 192] }] }, SOURCE).inputs, [{ name: 'x', shape: [-1, 3, 48, 192] }]);
    assert.deepEqual(parseModelConfig({ inputs: [{ name: 'x', shape: [] }] }, SOURCE).inputs, [{ name: 'x', shape: [] }]);
  });

  it('checks feature names', () => {
    fails({ inputs: [{ name: 'x', featureNames: 'a,b' }] }, /inputs\[0\]\.featureNames must be an array of strings/);
    fails({ inputs: [{ name: 'x', featureNames: ['a', 2] }] }, /inputs\[0\]\.featureNames/);
  });
});

describe('parseModelConfig: batching options', () => {
  it('takes preferred batch sizes and adaptive batching, and refuses bad ones', () => {
    assert.deepEqual(parseModelConfig({ preferredBatchSizes: [4, 8], adaptiveBatching: true }, 'c.json'), { preferredBatchSizes: [4, 8], adaptiveBatching: true });
    assert.throws(() => parseModelConfig({ preferredBatchSizes: [0] }, 'c.json'), /"preferredBatchSizes"/);
    assert.throws(() => parseModelConfig({ preferredBatchSizes: Array.from({ length: 33 }, (_, i) => i + 1) }, 'c.json'), /"preferredBatchSizes" must be an array of at most 32/);
    assert.throws(() => parseModelConfig({ adaptiveBatching: 'yes' }, 'c.json'), /"adaptiveBatching"/);
  });
});

describe('parseModelConfig: prediction cache', () => {
  it('takes ttlSeconds and maxEntries', () => {
    assert.deepEqual(parseModelConfig({ cache: { ttlSeconds: 3600, maxEntries: 100_000 } }, SOURCE).cache, { ttlSeconds: 3600, maxEntries: 100_000 });
  });

  it('refuses bad settings, naming the field', () => {
    for (const ttlSeconds of [0, -1, 1.5, '60', null, 30 * 86_400 + 1]) fails({ cache: { ttlSeconds, maxEntries: 10 } }, /cache\.ttlSeconds must be an integer in \[1, 2592000\]/);
    for (const maxEntries of [0, 2.5, 10_000_001, '10']) fails({ cache: { ttlSeconds: 60, maxEntries } }, /cache\.maxEntries must be an integer in \[1, 10000000\]/);
    fails({ cache: { ttlSeconds: 60 } }, /cache/);
    fails({ cache: { ttlSeconds: 60, maxEntries: 10, size: 3 } }, /"cache": unknown field "size"/);
    fails({ cache: true }, /"cache" must be an object/);
  });
});
