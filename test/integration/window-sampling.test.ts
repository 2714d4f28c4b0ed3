/**
 * The monitor's window sampling under load (MONITOR_MAX_WINDOWS_PER_SECOND), against a real Redis
 * and a real monitor: a version whose logged predictions arrive faster than cap × WINDOW_SIZE rows
 * per second gets windows of WINDOW_SIZE rows at about the cap's rate, each report saying its
 * sample rate and the predictions it stands for; a slower version gets every prediction; every
 * entry is acknowledged either way. The log entries carry their prediction times (the sampler
 * measures rates in prediction time), so the test appends them all at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { MONITOR_CONSUMER_GROUP, redisKeys, type PredictionLogBatch, type WindowReport } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { PredictionLog } from '@inferq/predictions';
import { createRedisConnection } from '@inferq/redis';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';
import { startMonitorApp, type MonitorApp } from '../../apps/monitor/src/monitor-app.js';
import { MODELS_DIR } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WINDOW_SIZE = 20;
const CAP = 2; // windows per second: a budget of 40 rows/s
const PREFIX = 'sampling';

/** A worker batch of `count` one-row predictions of `model` v1, finished at `t`. */
function batchOf(model: string, t: number, count: number, first: number): PredictionLogBatch {
  const ids = Array.from({ length: count }, (_, i) => `${model}-${first + i}`);
  return {
    model, version: '1', worker: 'w', device: 'cpu', finishedAt: t, sampleRate: 1,
    ids, createdAt: ids.map(() => t - 2), rows: ids.map(() => 1), ok: ids.map(() => 1),
    timings: { totalMs: ids.map(() => 2), queueWaitMs: ids.map(() => 1), batchSize: ids.map(() => count) },
    inputs: { x: { kind: 'tabular', shapes: ids.map(() => [1, 1]), featureNames: ['x'], columns: [ids.map((_, i) => first + i)] } },
    outputs: { rows: ids.map(() => 1), classes: ids.map(() => 0), confidence: ids.map(() => 0.9) },
  };
}

describe('window sampling under load (real Redis, real monitor)', () => {
  let redis: TestRedis;
  let connection: Redis;
  let monitor: MonitorApp;
  const reports = new Map<string, WindowReport[]>();

  before(async () => {
    redis = await startTestRedis();
    connection = createRedisConnection(redis.url, 'worker');
    monitor = await startMonitorApp(loadMonitorConfig({
      REDIS_URL: redis.url, KEY_PREFIX: PREFIX, MODEL_REPOSITORY: MODELS_DIR, MONITOR_ID: 'sampling',
      WINDOW_SIZE: String(WINDOW_SIZE), MONITOR_MAX_WINDOWS_PER_SECOND: String(CAP),
    }), createLogger('monitor', 'silent'));
    monitor.onWindow((report) => {
      const list = reports.get(report.model) ?? [];
      list.push(report);
      reports.set(report.model, list);
    });
    const log = new PredictionLog(connection, redisKeys(PREFIX));
    const t0 = Date.now() - 60_000;
    // fast: 1 000 predictions/s for 6 s, batches of 25; slow: 30/s for 4 s, batches of 3 (under 40 rows/s).
    for (let k = 0; k < 240; k++) await log.appendBatch(batchOf('fast', t0 + k * 25, 25, k * 25));
    for (let k = 0; k < 40; k++) await log.appendBatch(batchOf('slow', t0 + k * 100, 3, k * 3));
    // Everything read and acknowledged (acknowledgements ride with the read after the handling).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const groups = (await connection.xinfo('GROUPS', redisKeys(PREFIX).predictionLog)) as unknown[][];
      const group = groups.map((g) => Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [g[2 * i], g[2 * i + 1]]))).find((g) => g.name === MONITOR_CONSUMER_GROUP);
      if (group && group.lag === 0 && group.pending === 0) break;
      assert.ok(Date.now() < deadline, `monitor did not catch up: ${JSON.stringify(group)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await monitor?.close();
    await connection?.quit();
    await redis?.dispose();
  });

  it('a fast version: every window full, about CAP windows per second of traffic once measured, each saying what it stands for', () => {
    const fast = reports.get('fast') ?? [];
    assert.ok(fast.every((r) => r.rows === WINDOW_SIZE), 'every window holds WINDOW_SIZE rows');
    // The first second is measured, not sampled: 1 000 predictions, 50 windows. Then 5 s at 0.04: ~200 kept, ~10 windows.
    const first = fast.filter((r) => r.window <= 50);
    const sampled = fast.filter((r) => r.window > 50);
    assert.equal(first.length, 50);
    assert.ok(first.every((r) => r.sampleRate === 1 && r.estimatedPredictions === WINDOW_SIZE));
    assert.ok(sampled.length >= 6 && sampled.length <= 14, `${sampled.length} sampled windows over 5 s at ${CAP}/s`);
    for (const r of sampled) {
      assert.equal(r.sampleRate, 0.04, 'budget 40 rows/s over 1 000 rows/s');
      assert.equal(r.estimatedPredictions, 500);
    }
    const throughputs = sampled.map((r) => r.throughput ?? 0).sort((a, b) => a - b);
    const median = throughputs[Math.floor(throughputs.length / 2)]!;
    assert.ok(median > 650 && median < 1_500, `throughput ${median} rows/s, the traffic's 1 000 (divided by the sample rate)`);
  });

  it('a slow version gets every prediction', () => {
    const slow = reports.get('slow') ?? [];
    assert.deepEqual(slow.map((r) => r.window), [1, 2, 3, 4, 5, 6]);
    assert.ok(slow.every((r) => r.rows === WINDOW_SIZE && r.sampleRate === 1 && r.estimatedPredictions === WINDOW_SIZE));
    assert.equal(slow.reduce((n, r) => n + (r.features.x?.count ?? 0), 0), 120);
  });
});
