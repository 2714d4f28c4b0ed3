import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ONNX_PLATFORM } from '@inferq/contract';
import { DEFAULT_MAX_BATCH_SIZE, loadModelVersion, versionMetadata } from './model-version.js';

const BUNDLED = new URL('../../../models/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'inferq-model-version-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh version directory holding a copy of a bundled model and, optionally, a config. */
function versionDir(model: 'iris' | 'text-orientation', config?: unknown): string {
  const dir = join(root, `${model}-${++counter}`);
  mkdirSync(dir);
  copyFileSync(join(BUNDLED, model, '1', 'model.onnx'), join(dir, 'model.onnx'));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

describe('loadModelVersion', () => {
  it('takes the signature from the ONNX file and defaults from nothing', () => {
    const dir = versionDir('iris');
    const loaded = loadModelVersion('iris', '1', dir);
    assert.deepEqual(loaded, {
      name: 'iris',
      version: '1',
      modelPath: join(dir, 'model.onnx'),
      maxBatchSize: DEFAULT_MAX_BATCH_SIZE,
      maxQueueDelayMs: 0,
      preferredBatchSizes: [],
      adaptiveBatching: false,
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        { name: 'label', datatype: 'INT64', shape: [-1] },
      ],
      featureNames: {},
    });
  });

  it('defaults maxBatchSize to 32 when every input starts with a dynamic dim', () => {
    assert.equal(DEFAULT_MAX_BATCH_SIZE, 32);
    assert.equal(loadModelVersion('t', '1', versionDir('text-orientation')).maxBatchSize, 32);
    assert.equal(loadModelVersion('t', '1', versionDir('text-orientation', { description: 'no batch size' })).maxBatchSize, 32);
  });

  it('applies the config: description, labels, batching, delay, feature names', () => {
    const loaded = loadModelVersion('iris', '1', versionDir('iris', {
      description: 'Iris',
      maxBatchSize: 64,
      maxQueueDelayMs: 5,
      labels: ['setosa', 'versicolor', 'virginica'],
      inputs: [{ name: 'features', featureNames: ['sl', 'sw', 'pl', 'pw'] }],
    }));
    assert.equal(loaded.description, 'Iris');
    assert.deepEqual(loaded.labels, ['setosa', 'versicolor', 'virginica']);
    assert.equal(loaded.maxBatchSize, 64);
    assert.equal(loaded.maxQueueDelayMs, 5);
    assert.deepEqual(loaded.featureNames, { features: ['sl', 'sw', 'pl', 'pw'] });
    assert.deepEqual(loaded.inputs[0]!.shape, [-1, 4]);
  });

  it('lets the config turn batching off', () => {
    assert.equal(loadModelVersion('iris', '1', versionDir('iris', { maxBatchSize: 0 })).maxBatchSize, 0);
  });

  it('lets a shape override fix dynamic dims', () => {
    const loaded = loadModelVersion('t', '1', versionDir('text-orientation', { inputs: [{ name: 'x', shape: [-1, 3, 48, 192] }] }));
    assert.deepEqual(loaded.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 48, 192] }]);
    assert.equal(loaded.maxBatchSize, 32);
  });

  it('loads the bundled text-orientation version with its override', () => {
    const loaded = loadModelVersion('text-orientation', '1', join(BUNDLED, 'text-orientation', '1'));
    assert.deepEqual(loaded.inputs[0]!.shape, [-1, 3, 48, 192]);
    assert.deepEqual(loaded.labels, ['0', '180']);
  });

  it('refuses an override that changes a fixed dim', () => {
    const dir = versionDir('text-orientation', { inputs: [{ name: 'x', shape: [-1, 1, 48, 192] }] });
    assert.throws(() => loadModelVersion('t', '1', dir), new RegExp(`${escape(join(dir, 'config.json'))}: input "x" dimension 1 is fixed to 3 in the model, not 1`));
    const iris = versionDir('iris', { inputs: [{ name: 'features', shape: [-1, -1] }] });
    assert.throws(() => loadModelVersion('iris', '1', iris), /input "features" dimension 1 is fixed to 4 in the model, not -1/);
  });

  it('refuses an override of another rank', () => {
    const dir = versionDir('iris', { inputs: [{ name: 'features', shape: [-1, 4, 1] }] });
    assert.throws(() => loadModelVersion('iris', '1', dir), /input "features" shape has rank 3, the model's has 2/);
  });

  it('refuses an override for an input the model does not have', () => {
    const dir = versionDir('iris', { inputs: [{ name: 'petals' }] });
    assert.throws(() => loadModelVersion('iris', '1', dir), /inputs: "petals" is not an input of the model \(features\)/);
  });

  it('turns batching off when an override fixes the first dim, and refuses maxBatchSize then', () => {
    assert.equal(loadModelVersion('iris', '1', versionDir('iris', { inputs: [{ name: 'features', shape: [2, 4] }] })).maxBatchSize, 0);
    const dir = versionDir('iris', { maxBatchSize: 8, inputs: [{ name: 'features', shape: [2, 4] }] });
    assert.throws(() => loadModelVersion('iris', '1', dir), /maxBatchSize 8 needs every input's first dimension to be dynamic/);
  });

  it('reports a config.json that is not JSON, naming the file', () => {
    const dir = versionDir('iris', '{ "maxBatchSize": 8, }');
    assert.throws(() => loadModelVersion('iris', '1', dir), new RegExp(`${escape(join(dir, 'config.json'))}: not valid JSON`));
  });

  it('reports an invalid config, naming the file and field', () => {
    const dir = versionDir('iris', { maxBatchSize: 'many' });
    assert.throws(() => loadModelVersion('iris', '1', dir), new RegExp(`${escape(join(dir, 'config.json'))}: "maxBatchSize"`));
  });

  it('reports a missing or broken model.onnx', () => {
    const missing = join(root, 'empty');
    mkdirSync(missing);
    assert.throws(() => loadModelVersion('x', '1', missing), /ENOENT/);
    const broken = versionDir('iris');
    writeFileSync(join(broken, 'model.onnx'), '');
    assert.throws(() => loadModelVersion('x', '1', broken), /no ONNX graph/);
  });
});

describe('versionMetadata', () => {
  it('is the v2 metadata document', () => {
    const loaded = loadModelVersion('iris', '3', versionDir('iris', { description: 'x', labels: ['a'] }));
    assert.deepEqual(versionMetadata(loaded, ['1', '3']), {
      name: 'iris',
      versions: ['1', '3'],
      platform: ONNX_PLATFORM,
      inputs: loaded.inputs,
      outputs: loaded.outputs,
    });
    assert.equal(ONNX_PLATFORM, 'onnxruntime_onnx');
  });
});

/** `text` as a literal inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
