import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchCostModel } from './batch-cost-model.js';
import { decideBatch, type BatchPolicy } from './batch-policy.js';

const policy = (p: Partial<BatchPolicy> = {}): BatchPolicy => ({ maxBatchSize: 32, maxQueueDelayMs: 0, ...p });
const state = { pendingRows: 1, waitedMs: 0, draining: false };

describe('decideBatch', () => {
  it('with delay 0 runs whatever is waiting at once', () => {
    assert.deepEqual(decideBatch(policy(), state), { run: true, rows: 32 });
  });
  it('cuts a full batch at once whatever the delay, and everything when draining', () => {
    assert.deepEqual(decideBatch(policy({ maxQueueDelayMs: 50 }), { ...state, pendingRows: 40 }), { run: true, rows: 32 });
    assert.deepEqual(decideBatch(policy({ maxQueueDelayMs: 50 }), { ...state, draining: true }), { run: true, rows: 32 });
  });
  it('waits out the rest of the delay, then runs', () => {
    assert.deepEqual(decideBatch(policy({ maxQueueDelayMs: 5 }), { ...state, waitedMs: 2 }), { run: false, waitMs: 3 });
    assert.deepEqual(decideBatch(policy({ maxQueueDelayMs: 5 }), { ...state, waitedMs: 5 }), { run: true, rows: 32 });
  });
  it('cuts at the largest reachable preferred size without waiting', () => {
    const p = policy({ maxQueueDelayMs: 50, preferredBatchSizes: [4, 8, 16] });
    assert.deepEqual(decideBatch(p, { ...state, pendingRows: 11 }), { run: true, rows: 8 });
    assert.deepEqual(decideBatch(p, { ...state, pendingRows: 3 }), { run: false, waitMs: 50 });
  });
  it('adaptive: runs a lone request at once when arrivals are rare, waits when the next row saves more than it costs', () => {
    const p = policy({ maxQueueDelayMs: 10, adaptive: true });
    assert.deepEqual(decideBatch(p, state), { run: true, rows: 32 }, 'nothing learned yet: no waiting');
    assert.deepEqual(decideBatch(p, { ...state, fixedCostMs: 2, arrivalIntervalMs: 50 }), { run: true, rows: 32 }, 'low load');
    assert.deepEqual(decideBatch(p, { ...state, fixedCostMs: 2, arrivalIntervalMs: 0.5 }), { run: false, waitMs: 0.5 }, 'high load, costly batches');
    assert.deepEqual(decideBatch(p, { ...state, waitedMs: 9.8, fixedCostMs: 2, arrivalIntervalMs: 0.5 }), { run: true, rows: 32 }, 'delay cap');
  });
});

describe('BatchCostModel', () => {
  it('recovers t(n) = a·n + b from exact samples', () => {
    const model = new BatchCostModel();
    for (const n of [1, 2, 4, 8, 16, 32, 3, 5]) model.observe(n, 0.5 * n + 2);
    const estimate = model.estimate()!;
    assert.ok(Math.abs(estimate.perRowMs - 0.5) < 1e-9 && Math.abs(estimate.fixedMs - 2) < 1e-9, JSON.stringify(estimate));
  });
  it('needs enough samples, forgets old ones, and never returns negative terms', () => {
    const model = new BatchCostModel(8);
    assert.equal(model.estimate(), undefined);
    for (let i = 0; i < 8; i++) model.observe(4, 3);
    assert.deepEqual(model.estimate(), { perRowMs: 0, fixedMs: 3 });
    for (const n of [1, 2, 4, 8, 16, 32, 3, 5]) model.observe(n, 10 - 0.1 * n);
    assert.equal(model.estimate()!.perRowMs, 0);
    for (const n of [1, 2, 4, 8, 16, 32, 3, 5]) model.observe(n, n);
    assert.equal(model.estimate()!.fixedMs, 0);
  });
});
