/**
 * `npm run demo:drift`'s figures as a test, with fixed seeds, on the real stack in process (API,
 * worker, onnxruntime, monitor, Redis): real Iris flowers, then petal length + 1.5 cm. Each window
 * is sent whole and judged before the next, so the figures depend on the seeds only.
 *
 * Evidently's defaults (KS p ≤ 0.05 per feature, dataset drift at ≥ 50 % of features) do not meet
 * the goals on their own: a one-feature shift is 25 % of iris's four features, so dataset drift
 * fires only when another feature drifts by chance too, and "any feature drifted" false-alarms on
 * about 2 % of unshifted windows. The persistence rule (a feature drifted in 2 consecutive windows,
 * the `feature_drift:<f>` alert) meets both goals: detection in 2 windows, false alarms ≤ 1 %
 * (figures over 20 runs in docs/monitoring.md; DRIFT_RUNS / DRIFT_UNSHIFTED / DRIFT_VERBOSE=1
 * reproduce them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PETAL_LENGTH_SHIFT } from '../../apps/tools/src/iris-sampler.js';
import { formatSummary, runDriftExperiment, type ExperimentSummary } from '../../apps/tools/src/drift-experiment.js';
import { startDriftStack, type DriftStack } from '../helpers/drift-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const RUNS = Number(process.env.DRIFT_RUNS ?? 3);
const UNSHIFTED = Number(process.env.DRIFT_UNSHIFTED ?? 20);
const SHIFTED = 3;
const WINDOW_SIZE = 50;

describe('drift detection on iris traffic (fixed seeds, real stack)', () => {
  let redis: TestRedis;
  let drift: DriftStack;
  let summary: ExperimentSummary;

  before(async () => {
    redis = await startTestRedis();
    drift = await startDriftStack(redis.url, { WINDOW_SIZE: String(WINDOW_SIZE), DRIFT_PERSISTENCE: '2' });
    ({ summary } = await runDriftExperiment({
      runs: RUNS, unshiftedWindows: UNSHIFTED, shiftedWindows: SHIFTED, windowSize: WINDOW_SIZE, seed: 1, shift: PETAL_LENGTH_SHIFT,
      sendWindow: (flowers) => drift.sendWindow(flowers), reset: () => drift.reset(),
    }));
    if (process.env.DRIFT_VERBOSE) console.log(formatSummary(summary, SHIFTED));
  });
  after(async () => {
    await drift?.close();
    await redis?.dispose();
  });

  it('the persistence rule detects petal length + 1.5 cm within 2 windows in every run', () => {
    assert.deepEqual(summary.rules.persistent_feature_drift.delays, Array(RUNS).fill(2));
  });

  it('the persistence rule raises no false alarm on unshifted windows (goal: ≤ 1 %)', () => {
    assert.ok(summary.rules.persistent_feature_drift.falseAlarmRate <= 0.01, formatSummary(summary, SHIFTED));
  });

  it("Evidently's per-feature verdict flags the shift in its first window", () => {
    assert.deepEqual(summary.rules.any_feature_drift.delays, Array(RUNS).fill(1));
  });

  it("Evidently's dataset drift (≥ 50 % of features) misses a one-feature shift in most runs", () => {
    // Only when a second, unshifted feature drifts by chance in the same window does it fire.
    assert.ok(summary.rules.dataset_drift.detectedRuns < RUNS, formatSummary(summary, SHIFTED));
  });
});
