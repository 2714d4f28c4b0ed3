import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom } from '@inferq/monitoring';
import { referenceFromCsv } from './reference-profiles.js';
import { featureValuesOf, type WindowItem } from './window-item.js';
import { buildWindowReport, quantile } from './window-report.js';

const random = createRandom(5);
const csv = ['a,b,label', ...Array.from({ length: 200 }, (_, i) => `${random.normal(0, 1).toFixed(3)},${random.normal(10, 2).toFixed(3)},${i % 2}`)].join('\n');
const reference = referenceFromCsv(csv, 'file');

function items(count: number, shiftA = 0, extra: Partial<WindowItem> = {}): WindowItem[] {
  return Array.from({ length: count }, (_, i) => ({
    t: 1_000 + i * 10, r: 1, s: 1, ok: 1, lat: 5 + i, qw: 1, bs: 4,
    f: { a: [random.normal(shiftA, 1)], b: [random.normal(10, 2)] }, cls: [i % 2], conf: [0.8], ...extra,
  }));
}

const drift = { shareThreshold: 0.5, persistence: 2 };

describe('buildWindowReport', () => {
  it('summarises features, outputs, latency and throughput of the window', () => {
    const report = buildWindowReport({ model: 'm', version: '1', labels: ['no', 'yes'], seq: 1, items: items(50), previous: [], drift, reference });
    assert.equal(report.rows, 50);
    assert.equal(report.predictions, 50);
    assert.equal(report.features.a!.count, 50);
    assert.deepEqual(report.outputs.classCounts, { no: 25, yes: 25 });
    assert.equal(report.outputs.meanConfidence, 0.8);
    assert.deepEqual(report.latencyMs, { p50: 29.5, p95: 51.55, p99: 53.51 });
    assert.equal(report.throughput, 102.041, '50 rows over 490 ms');
    assert.equal(report.batchSizeMean, 4);
    assert.equal(report.features.a!.reference?.mean !== null, true);
    assert.equal(report.drift?.reference.rows, 200);
    assert.equal(report.drift?.features.a?.method, 'ks');
  });

  it('flags a shifted feature, and marks it persistent only in consecutive windows', () => {
    const first = buildWindowReport({ model: 'm', version: '1', seq: 7, items: items(60, 2), previous: [], drift, reference });
    assert.equal(first.drift?.features.a?.drifted, true);
    assert.equal(first.drift?.features.a?.persistent, false, 'no earlier window');
    assert.equal(first.drift?.datasetDrift, first.drift!.share >= 0.5);
    const second = buildWindowReport({ model: 'm', version: '1', seq: 8, items: items(60, 2), previous: [first], drift, reference });
    assert.deepEqual(second.drift?.persistentFeatures, ['a']);
    const gap = buildWindowReport({ model: 'm', version: '1', seq: 10, items: items(60, 2), previous: [second], drift, reference });
    assert.deepEqual(gap.drift?.persistentFeatures, [], 'window 9 is missing: not consecutive');
    const once = buildWindowReport({ model: 'm', version: '1', seq: 8, items: items(60, 2), previous: [first], drift: { ...drift, persistence: 1 }, reference });
    assert.deepEqual(once.drift?.persistentFeatures, ['a'], 'persistence 1: every drifted window');
  });

  it('counts failed predictions and null outputs apart, and explains a missing drift section', () => {
    const mixed = [...items(3), ...items(2, 0, { ok: 0, cls: undefined, conf: undefined }), ...items(1, 0, { cls: [null], conf: [null] })] as WindowItem[];
    const report = buildWindowReport({ model: 'm', version: '1', seq: 1, items: mixed, previous: [], drift });
    assert.equal(report.failed, 2);
    assert.equal(report.outputs.nullOutputs, 1);
    assert.equal(report.drift, undefined);
    assert.match(report.driftSkipped ?? '', /no reference/);
    const other = buildWindowReport({ model: 'm', version: '1', seq: 1, items: items(5, 0, { f: { c: [1] } }), previous: [], drift, reference });
    assert.match(other.driftSkipped ?? '', /no feature of the reference/);
  });
});

describe('featureValuesOf', () => {
  it('names tabular features, image brightness and tensor statistics', () => {
    assert.deepEqual(featureValuesOf({
      t: { kind: 'tabular', featureNames: ['x', 'y'], rows: [[1, 2], [3, null]] },
      img: { kind: 'image', shape: [1, 3, 2, 2], brightness: [0.5] },
      v: { kind: 'tensor', shape: [1, 8], mean: [1], std: [2], min: [0], max: [3] },
      s: { kind: 'other', shape: [1], datatype: 'BYTES' },
    }), { x: [1, 3], y: [2, null], 'img.brightness': [0.5], 'v.mean': [1], 'v.std': [2], 'v.min': [0], 'v.max': [3] });
  });
});

describe('quantile', () => {
  it('interpolates linearly and is null for no values', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([7], 0.95), 7);
    assert.equal(quantile([], 0.5), null);
  });
});
