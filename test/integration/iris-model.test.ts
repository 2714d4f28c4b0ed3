/**
 * Loads the committed models/iris/1/model.onnx with the real onnxruntime-node and
 * checks it against the Iris data and against the TypeScript forward pass.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
// Before onnxruntime loads: its telemetry off (docs/configuration: ORT_DISABLE_TELEMETRY).
import '@inferq/env/onnxruntime-defaults';
import * as ort from 'onnxruntime-node';
import { encodeIrisOnnxModel } from '../../apps/tools/src/iris-onnx-export.js';
import { argmax, loadIris, predict, trainIrisClassifier } from '../../apps/tools/src/iris-training.js';

const MODEL_PATH = fileURLToPath(new URL('../../models/iris/1/model.onnx', import.meta.url));
const TOLERANCE = 1e-5;

describe('models/iris/1/model.onnx', () => {
  const data = loadIris();
  const training = trainIrisClassifier();
  let session: ort.InferenceSession;
  let probabilities: Float32Array;
  let labels: BigInt64Array;

  before(async () => {
    session = await ort.InferenceSession.create(MODEL_PATH);
    const input = new ort.Tensor('float32', Float32Array.from(data.features.flat()), [data.features.length, 4]);
    const out = await session.run({ features: input });
    const probs = out['probabilities'];
    const label = out['label'];
    assert.ok(probs && label, 'both outputs present');
    assert.equal(probs.type, 'float32');
    assert.equal(label.type, 'int64');
    assert.deepEqual(probs.dims, [150, 3]);
    assert.deepEqual(label.dims, [150]);
    probabilities = probs.data as Float32Array;
    labels = label.data as BigInt64Array;
  });

  it('declares features → probabilities, label with the expected types', () => {
    assert.deepEqual(session.inputNames, ['features']);
    assert.deepEqual(session.outputNames, ['probabilities', 'label']);
    const [input] = session.inputMetadata;
    assert.ok(input?.isTensor);
    assert.equal(input.type, 'float32');
    assert.deepEqual(input.shape, ['batch', 4]);
    const [probs, label] = session.outputMetadata;
    assert.ok(probs?.isTensor && label?.isTensor);
    assert.equal(probs.name, 'probabilities');
    assert.equal(probs.type, 'float32');
    assert.deepEqual(probs.shape, ['batch', 3]);
    assert.equal(label.name, 'label');
    assert.equal(label.type, 'int64');
    assert.deepEqual(label.shape, ['batch']);
  });

  const row = (i: number): number[] => Array.from(probabilities.subarray(i * 3, i * 3 + 3));

  it('classifies at least 90% of all 150 rows correctly', () => {
    const hits = data.labels.filter((y, i) => Number(labels[i]) === y).length;
    assert.ok(hits / 150 >= 0.9, `accuracy ${hits / 150}`);
  });

  it('outputs probability rows that sum to 1 and labels that are their argmax', () => {
    for (let i = 0; i < 150; i++) {
      const p = row(i);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) <= TOLERANCE, `row ${i} sums to ${p}`);
      assert.equal(Number(labels[i]), argmax(p), `row ${i}`);
    }
  });

  it('matches the TypeScript forward pass within 1e-5', () => {
    const expected = predict(training.classifier, data.features);
    for (let i = 0; i < 150; i++) {
      const p = row(i);
      const q = expected.probabilities[i] ?? [];
      p.forEach((v, k) => assert.ok(Math.abs(v - (q[k] ?? NaN)) <= TOLERANCE, `row ${i} class ${k}: ${v} vs ${q[k]}`));
      assert.equal(Number(labels[i]), expected.labels[i], `row ${i}`);
    }
  });

  it('is byte-identical to a fresh deterministic export', () => {
    const committed = readFileSync(MODEL_PATH);
    const fresh = encodeIrisOnnxModel(training.classifier);
    assert.ok(Buffer.from(fresh).equals(committed), 'model.onnx differs from a re-export; rerun npm run train:iris');
  });
});
