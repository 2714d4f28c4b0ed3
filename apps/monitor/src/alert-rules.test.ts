import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SeriesPoint, WindowReport } from '@inferq/contract';
import { accuracyAlert, windowAlerts, type AlertRuleSettings } from './alert-rules.js';

const settings: AlertRuleSettings = {
  latencyP95ThresholdMs: 0, minMeanConfidence: 0, maxErrorRate: 0.05, accuracyThreshold: 0.8, anomalyK: 4, anomalySeasonLength: 4,
};

function report(overrides: Partial<WindowReport> = {}): WindowReport {
  return {
    model: 'iris', version: '1', window: 30, startedAt: 0, endedAt: 1, rows: 50, predictions: 50, failed: 0, features: {},
    outputs: { classCounts: {}, meanConfidence: 0.9, nullOutputs: 0 }, latencyMs: { p50: 5, p95: 10, p99: 12 },
    queueWaitMsP95: 1, batchSizeMean: 3, throughput: 100, ...overrides,
  };
}

const drifted = (persistent: boolean) => ({ method: 'ks', score: 1e-6, threshold: 0.05, direction: 'below' as const, drifted: true, persistent });
const points = (values: number[]): SeriesPoint[] => values.map((v, i) => ({ t: i, v, window: i + 30 - values.length + 1 }));

describe('windowAlerts', () => {
  it('raises nothing for a quiet window', () => {
    assert.deepEqual(windowAlerts(report(), {}, settings), []);
  });

  it('raises dataset drift, persistent feature drift and prediction drift', () => {
    const alerts = windowAlerts(report({
      drift: {
        share: 0.5, datasetDrift: true, shareThreshold: 0.5, persistence: 2, persistentFeatures: ['a'],
        features: { a: drifted(true), b: drifted(false) }, prediction: { ...drifted(true), method: 'chi-squared' }, reference: { rows: 120, source: 'file' },
      },
    }), {}, settings, 123);
    assert.deepEqual(alerts.map((a) => [a.rule, a.value, a.threshold]), [['dataset_drift', 0.5, 0.5], ['feature_drift:a', 1e-6, 0.05], ['prediction_drift', 1e-6, 0.05]]);
    assert.ok(alerts.every((a) => a.model === 'iris' && a.version === '1' && a.window === 30 && a.at === 123 && a.message.length > 10));
  });

  it('applies the fixed thresholds that are switched on', () => {
    const bad = report({ failed: 5, latencyMs: { p50: 1, p95: 250, p99: 300 }, outputs: { classCounts: {}, meanConfidence: 0.4, nullOutputs: 0 } });
    assert.deepEqual(windowAlerts(bad, {}, settings).map((a) => a.rule), ['error_rate_above']);
    const on = { ...settings, latencyP95ThresholdMs: 200, minMeanConfidence: 0.5, maxErrorRate: 1 };
    assert.deepEqual(windowAlerts(bad, {}, on).map((a) => a.rule), ['latency_p95_above', 'mean_confidence_below']);
  });

  it('flags a latency jump against the window band, on the upper side only', () => {
    const calm = [10, 11, 9, 10, 12, 10, 11, 9, 10, 10, 11, 10, 9, 10, 11, 12, 10, 9, 10, 11];
    const up = windowAlerts(report(), { latency_p95: points([...calm, 40]) }, settings);
    assert.deepEqual(up.map((a) => a.rule), ['anomaly:latency_p95']);
    assert.ok(up[0]!.threshold < 40 && up[0]!.threshold > 11);
    assert.deepEqual(windowAlerts(report(), { latency_p95: points([...calm, 1]) }, settings), [], 'faster is no alert');
    assert.deepEqual(windowAlerts(report(), { latency_p95: points([...calm.slice(0, 10), 40]) }, settings), [], 'too little history');
    const stale = points([...calm, 40]).map((p) => ({ ...p, window: p.window - 1 }));
    assert.deepEqual(windowAlerts(report(), { latency_p95: stale }, settings), [], 'the series does not end with this window');
  });

  it('flags a throughput collapse against the Holt–Winters band', () => {
    const seasonal = Array.from({ length: 24 }, (_, i) => 100 + [0, 20, 0, -20][i % 4]! + (i % 3));
    assert.deepEqual(windowAlerts(report(), { throughput: points([...seasonal, 10]) }, settings).map((a) => a.rule), ['anomaly:throughput']);
    assert.deepEqual(windowAlerts(report(), { throughput: points([...seasonal, 101]) }, settings), []);
  });
});

describe('accuracyAlert', () => {
  it('alerts below the threshold, never when it is 0', () => {
    assert.equal(accuracyAlert('iris', '1', 3, 0.7, 50, settings, 1)?.rule, 'accuracy_below');
    assert.equal(accuracyAlert('iris', '1', 3, 0.8, 50, settings), undefined);
    assert.equal(accuracyAlert('iris', '1', 3, 0, 50, { ...settings, accuracyThreshold: 0 }), undefined);
  });
});
