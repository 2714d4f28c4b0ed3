/**
 * `node --import tsx bench/version-stats-write.ts [--iterations 2000]`: what the per-version live
 * figures (apps/worker/src/version-stats-writer.ts) cost a worker, per batch of k iris predictions,
 * on one connection to a local redis-server:
 *   final        the batch's final write (HSET + EXPIRE + PUBLISH per prediction in one MULTI), for scale
 *   count (CPU)  `statsIncrements`: the bucket increments of the k outcomes (class per row included)
 *   stats write  `VersionStatsStore.add`: one pipeline of HINCRBYs + EXPIRE (sent after the final
 *                write, never awaited by the batch)
 * Median and p99 in µs; the variants alternate within each iteration so machine noise hits them alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redisKeys, type PredictionFinalEvent } from '@inferq/contract';
import { VersionStatsStore } from '@inferq/predictions';
import { createRedisConnection, startEmbeddedRedis } from '@inferq/redis';
import { statsIncrements } from '../apps/worker/src/version-stats-writer.js';
import { percentile } from './lib/stats.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000' } } });
const iterations = Number(values.iterations);
const dir = mkdtempSync(join(tmpdir(), 'inferq-bench-vstats-'));
const server = await startEmbeddedRedis({ dir });
const redis = createRedisConnection(server.url, 'worker');
const store = new VersionStatsStore(redis, redisKeys('bench'));
const LABELS = ['setosa', 'versicolor', 'virginica'];

const event = (id: string, i: number): PredictionFinalEvent => ({
  id, model: 'iris', version: '1', createdAt: Date.now(), status: 'completed',
  timings: { queueWaitMs: 2, inferenceMs: 0.09, totalMs: 2 + (i % 40), batchSize: 7, batchRequests: 3 },
  result: { model_name: 'iris', model_version: '1', id, outputs: [
    { name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: i % 3 === 0 ? [0.9, 0.05, 0.05] : [0.1, 0.2, 0.7] },
    { name: 'label', shape: [1], datatype: 'INT64', data: [i % 3 === 0 ? 0 : 2] },
  ] },
});

async function timed(run: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1000;
}

try {
  console.log(`# per-version live figures, per batch: ${iterations} iterations per batch size, one connection, local redis-server\n`);
  console.log('| batch | final write: p50 / p99 µs | count (CPU): p50 / p99 µs | stats write (pipeline, off the path): p50 / p99 µs |');
  console.log('| --- | --- | --- | --- |');
  for (const k of [1, 8, 32]) {
    const samples = { final: [] as number[], count: [] as number[], write: [] as number[] };
    for (let i = 0; i < iterations + 100; i++) {
      const events = Array.from({ length: k }, (_, j) => event(`p${i}x${j}`, i + j));
      const final = await timed(() => {
        const m = redis.multi();
        for (const e of events) {
          const key = `bench:prediction:${e.id}`;
          m.hset(key, { status: e.status, result: JSON.stringify(e.result), timings: JSON.stringify(e.timings) }).expire(key, 86_400).publish('bench:events', JSON.stringify(e));
        }
        return m.exec();
      });
      let increments: ReturnType<typeof statsIncrements> = [];
      const count = await timed(() => { increments = statsIncrements(events, Date.now(), () => LABELS); });
      const write = await timed(() => store.add(increments));
      if (i >= 100) {
        samples.final.push(final);
        samples.count.push(count);
        samples.write.push(write);
      }
    }
    const f = (xs: number[]) => `${percentile(xs, 50).toFixed(0)} / ${percentile(xs, 99).toFixed(0)}`;
    console.log(`| ${k} | ${f(samples.final)} | ${f(samples.count)} | ${f(samples.write)} |`);
  }
} finally {
  await redis.quit();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
