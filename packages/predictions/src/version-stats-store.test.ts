import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyBucket, latencyBucketBound, latencyQuantile, versionStatsOf } from './version-stats-store.js';

describe('latency buckets', () => {
  it('puts a latency in the bucket whose bound is the first at or above it, at most 10 % high', () => {
    for (const ms of [0, 0.5, 1, 1.05, 2, 17.3, 250, 9_999, 60_000]) {
      const bound = latencyBucketBound(latencyBucket(ms));
      assert.ok(bound >= ms - 1e-9, `${ms} ≤ ${bound}`);
      assert.ok(ms <= 1 || bound <= ms * 1.1 + 1e-9, `${bound} within 10 % of ${ms}`);
    }
  });

  it('reads quantiles from bucket counts', () => {
    const latency = new Map<number, number>();
    for (let ms = 1; ms <= 100; ms++) {
      const i = latencyBucket(ms);
      latency.set(i, (latency.get(i) ?? 0) + 1);
    }
    const p95 = latencyQuantile(latency, 0.95);
    assert.ok(p95 >= 95 && p95 <= 95 * 1.1, String(p95));
    assert.equal(latencyQuantile(new Map(), 0.95), 0);
  });
});

describe('versionStatsOf', () => {
  it('turns summed counters into rates and shares', () => {
    const stats = versionStatsOf('iris', '2', { requests: 30, errors: 3, latency: new Map([[latencyBucket(10), 27]]), classes: new Map([['setosa', 10], ['virginica', 30]]) }, 10);
    assert.equal(stats.requestsPerSecond, 3);
    assert.equal(stats.errorRate, 0.1);
    assert.deepEqual(stats.classShares, { setosa: 0.25, virginica: 0.75 });
    assert.ok(stats.latencyMs.p50 >= 10 && stats.latencyMs.p50 <= 11);
  });
});
