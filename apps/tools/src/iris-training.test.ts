import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_SPLIT_SEED,
  DEFAULT_TEST_FRACTION,
  IRIS_LABELS,
  accuracy,
  argmax,
  fitStandardizer,
  loadIris,
  softmax,
  standardize,
  stratifiedSplit,
  trainIrisClassifier,
} from './iris-training.js';

describe('loadIris', () => {
  it('loads 150 rows of 4 features, 50 per class, setosa first', () => {
    const data = loadIris();
    assert.equal(data.features.length, 150);
    assert.ok(data.features.every((row) => row.length === 4));
    for (let c = 0; c < IRIS_LABELS.length; c++) assert.equal(data.labels.filter((l) => l === c).length, 50);
    // The first row of Fisher's data is a setosa: 5.1, 3.5, 1.4, 0.2.
    assert.deepEqual(data.features[0], [5.1, 3.5, 1.4, 0.2]);
    assert.equal(data.labels[0], 0);
  });
});

describe('stratifiedSplit', () => {
  const { labels } = loadIris();

  it('holds out 20% of each class and covers every row exactly once', () => {
    const split = stratifiedSplit(labels, DEFAULT_TEST_FRACTION, DEFAULT_SPLIT_SEED);
    assert.equal(split.train.length, 120);
    assert.equal(split.test.length, 30);
    for (let c = 0; c < IRIS_LABELS.length; c++) {
      assert.equal(split.test.filter((r) => labels[r] === c).length, 10);
      assert.equal(split.train.filter((r) => labels[r] === c).length, 40);
    }
    const all = [...split.train, ...split.test].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 150 }, (_, i) => i));
  });

  it('is deterministic for a seed and varies with the seed', () => {
    const first = stratifiedSplit(labels, 0.2, 123);
    assert.deepEqual(stratifiedSplit(labels, 0.2, 123), first);
    assert.notDeepEqual(stratifiedSplit(labels, 0.2, 124).test, first.test);
  });
});

describe('standardisation', () => {
  it('matches a hand-computed example', () => {
    // Column 0: 1, 3 → mean 2, population std 1.  Column 1: 2, 2, constant → std falls back to 1.
    // Column 2: 0, 4 → mean 2, std 2.
    const rows = [
      [1, 2, 0],
      [3, 2, 4],
    ];
    const s = fitStandardizer(rows);
    assert.deepEqual(s.mean, [2, 2, 2]);
    assert.deepEqual(s.std, [1, 1, 2]);
    assert.deepEqual(standardize(rows, s), [
      [-1, 0, -1],
      [1, 0, 1],
    ]);
    assert.deepEqual(standardize([[4, 5, 6]], s), [[2, 3, 2]]);
  });
});

describe('helpers', () => {
  it('softmax sums to 1 and survives large logits', () => {
    const p = softmax([1000, 1000, 999]);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(p.every((v) => Number.isFinite(v)));
  });

  it('argmax takes the first maximum, like ONNX ArgMax', () => {
    assert.equal(argmax([0.2, 0.4, 0.4]), 1);
  });

  it('accuracy counts matches', () => {
    assert.equal(accuracy([0, 1, 2, 2], [0, 1, 1, 2]), 0.75);
  });
});

describe('trainIrisClassifier', () => {
  const result = trainIrisClassifier();

  it('reaches at least 90% accuracy on the held-out test split', () => {
    assert.ok(result.testAccuracy >= 0.9, `test accuracy ${result.testAccuracy}`);
    assert.ok(result.trainAccuracy >= 0.9, `train accuracy ${result.trainAccuracy}`);
  });

  it('produces identical parameters on every run', () => {
    assert.deepEqual(trainIrisClassifier().classifier, result.classifier);
  });

  it('stores float32-representable parameters with the expected shapes', () => {
    const { classifier } = result;
    assert.equal(classifier.weights.length, 4);
    assert.ok(classifier.weights.every((row) => row.length === 3));
    assert.equal(classifier.bias.length, 3);
    const all = [...classifier.mean, ...classifier.std, ...classifier.weights.flat(), ...classifier.bias];
    assert.ok(all.every((v) => Math.fround(v) === v));
  });
});
