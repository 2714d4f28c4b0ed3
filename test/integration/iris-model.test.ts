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
import { argmax, DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, loadIris, PETAL_ONLY_MASK, PETAL_ONLY_TRAIN_OPTIONS, predict, trainIrisClassifier } from '../../apps/tools/src/iris-training.js';

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

describe('models-staged/iris/2 (petal features only), registered at run time', () => {
  const STAGED = fileURLToPath(new URL('../../models-staged/iris/2/', import.meta.url));
  const v1 = trainIrisClassifier();
  const v2 = trainIrisClassifier(PETAL_ONLY_TRAIN_OPTIONS, DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, PETAL_ONLY_MASK);

  it('is byte-identical to a fresh export of the petal variant, and its config states its measured hold-out accuracy', () => {
    assert.ok(Buffer.from(encodeIrisOnnxModel(v2.classifier)).equals(readFileSync(`${STAGED}model.onnx`)), 'rerun npm run train:iris -- --variant petal');
    const config = JSON.parse(readFileSync(`${STAGED}config.json`, 'utf8')) as { description: string };
    assert.match(config.description, new RegExp(`hold-out accuracy ${(v2.testAccuracy * 100).toFixed(2)}%`));
  });

  it('ignores the sepal features and disagrees with v1 on some real flowers', async () => {
    const session = await ort.InferenceSession.create(`${STAGED}model.onnx`);
    const data = loadIris();
    const run = async (rows: number[][]) => (await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) }))['label']!.data as BigInt64Array;
    const labels = await run(data.features);
    const changedSepals = await run(data.features.map(([, , pl, pw]) => [0, 0, pl!, pw!]));
    assert.deepEqual([...changedSepals], [...labels], 'the sepal columns change nothing');
    const v1Labels = predict(v1.classifier, data.features).labels;
    const disagree = v1Labels.filter((label, i) => BigInt(label) !== labels[i]).length;
    assert.ok(disagree > 0 && disagree < 20, `v1 and v2 disagree on ${disagree} of 150 flowers`);
    assert.notEqual(v2.testAccuracy, v1.testAccuracy, 'a genuinely different hold-out accuracy');
  });
});
