import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom } from '@inferq/monitoring';
import { referenceFromCsv } from './reference-profiles.js';
import { featureValuesOf, type WindowItem } from './window-item.js';
import { buildWindowReport } from './window-report.js';

const random = createRandom(5);
const csv = ['a,b,label', ...Array.from({ length: 200 }, (_, i) => `${random.normal(0, 1).toFixed(3)},${random.normal(10, 2).toFixed(3)},${i % 2}`)].join('\n');
const reference = referenceFromCsv(csv, 'file');
/** Mean and sample std of a CSV column, computed here without the package (what the report must show). */
function columnStats(column: number): { mean: number; std: number } {
  const values = csv.split('\n').slice(1).map((line) => Number(line.split(',')[column]));
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean: m, std: Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1)) };
}

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
    assert.equal(report.sampleRate, 1);
    assert.equal(report.estimatedPredictions, 50);
    assert.equal(report.batchSizeMean, 4);
    const expected = columnStats(0);
    assert.ok(report.features.a!.reference, 'the reference side of feature a');
    assert.ok(Math.abs(report.features.a!.reference.mean! - expected.mean) < 1e-5, `reference mean ${report.features.a!.reference.mean} vs ${expected.mean}`);
    assert.ok(Math.abs(report.features.a!.reference.std! - expected.std) < 1e-5, `reference std ${report.features.a!.reference.std} vs ${expected.std}`);
    assert.deepEqual(report.features.a!.histogram?.reference, reference.profile.features.a!.histogram?.counts);
    assert.equal(report.drift?.reference.rows, 200);
    assert.equal(report.drift?.features.a?.method, 'ks');
  });

  it('flags a shifted feature, and marks it persistent only in consecutive windows', () => {
    const first = buildWindowReport({ model: 'm', version: '1', seq: 7, items: items(60, 2), previous: [], drift, reference });
    assert.equal(first.drift?.features.a?.drifted, true);
    assert.equal(first.drift?.features.a?.persistent, false, 'no earlier window');
    // a drifts, b does not: half the features, which is dataset drift at 0.5 but not at 0.6.
    assert.equal(first.drift?.features.b?.drifted, false);
    assert.equal(first.drift?.share, 0.5);
    assert.equal(first.drift?.datasetDrift, true);
    const stricter = buildWindowReport({ model: 'm', version: '1', seq: 7, items: items(60, 2), previous: [], drift: { ...drift, shareThreshold: 0.6 }, reference });
    assert.equal(stricter.drift?.features.a?.drifted, true);
    assert.equal(stricter.drift?.datasetDrift, false);
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
    assert.deepEqual(buildWindowReport({ model: 'm', version: '1', seq: 1, items: items(1), previous: [], drift }).latencyMs, { p50: 5, p95: 5, p99: 5 }, 'one latency');
    assert.deepEqual(buildWindowReport({ model: 'm', version: '1', seq: 1, items: items(2, 0, { lat: null }), previous: [], drift }).latencyMs, { p50: null, p95: null, p99: null }, 'no latency');
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

describe('buildWindowReport of a sampled window', () => {
  it('says what it stands for: its sample rate, the predictions behind it, throughput scaled up', () => {
    const mixed = [...items(25, 0, { s: 0.05 }), ...items(25, 0, { s: 0.025 })];
    const report = buildWindowReport({ model: 'm', version: '1', seq: 1, items: mixed, previous: [], drift });
    assert.equal(report.rows, 50, 'the window still holds WINDOW_SIZE rows');
    assert.equal(report.estimatedPredictions, 1_500, '25 / 0.05 + 25 / 0.025');
    assert.equal(report.sampleRate, 0.0333333);
    assert.equal(report.throughput, 6_250, '1 500 rows over 240 ms (both halves span 1 000-1 240)');
  });
});
