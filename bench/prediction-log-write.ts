/**
 * `node --import tsx bench/prediction-log-write.ts [--iterations 2000]`: where the prediction
 * log's XADDs go, measured at the Redis level on one connection, per batch of k predictions.
 *   final        the batch's final write alone: HSET + EXPIRE + PUBLISH per prediction in one MULTI
 *   final+log    the same MULTI with one XADD per prediction added (the log on the critical path)
 *   log alone    one pipeline of the k XADDs (what the worker sends after the final write, unawaited)
 * Entries are iris-sized (≈ 400 bytes of JSON). Median and p99 of the awaited call, in µs;
 * the variants alternate within each iteration so machine noise hits them alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from './lib/stats.js';
import { createRedisConnection, startEmbeddedRedis } from '@inferq/redis';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000' } } });
const iterations = Number(values.iterations);
const dir = mkdtempSync(join(tmpdir(), 'inferq-bench-logwrite-'));
const server = await startEmbeddedRedis({ dir });
const redis = createRedisConnection(server.url, 'worker');

const record = (id: string) => ({
  status: 'completed', model: 'iris', version: '1', createdAt: String(Date.now()),
  timings: JSON.stringify({ queueWaitMs: 2, inferenceMs: 0.09, totalMs: 4, batchSize: 7, batchRequests: 3 }),
  result: JSON.stringify({ model_name: 'iris', model_version: '1', id, outputs: [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: [0.9, 0.05, 0.05] }, { name: 'label', shape: [1], datatype: 'INT64', data: [0] }] }),
});
const entry = (id: string) => JSON.stringify({
  id, model: 'iris', version: '1', status: 'completed', createdAt: 1795318531193, finishedAt: 1795318531215, sampleRate: 1, rows: 1,
  worker: 'host-4121-a1b2c3', device: 'cpu', timings: { queueWaitMs: 18, inferenceMs: 2.45, totalMs: 22, batchSize: 1, batchRequests: 1 },
  inputs: { features: { kind: 'tabular', featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], rows: [[6.9, 2.1, 3.7, 0.3]] } },
  outputs: { classes: [1], confidence: [0.9986273], labels: ['versicolor'] },
});

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1000;
}

const pct = percentile;

try {
  console.log(`# prediction log writes at the Redis level: ${iterations} iterations per batch size, one connection, local redis-server\n`);
  console.log('| batch | final: p50 / p99 µs | final+log in the MULTI: p50 / p99 µs | log alone (pipeline, off the path): p50 / p99 µs |');
  console.log('| --- | --- | --- | --- |');
  for (const k of [1, 8, 32]) {
    const samples = { final: [] as number[], both: [] as number[], log: [] as number[] };
    for (let i = 0; i < iterations + 100; i++) {
      const ids = Array.from({ length: k }, (_, j) => `p${i}x${j}`);
      const multi = (withLog: boolean) => {
        const m = redis.multi();
        for (const id of ids) {
          const key = `bench:prediction:${id}`;
          const r = record(id);
          m.hset(key, r).expire(key, 86_400).publish('bench:events', JSON.stringify({ id, ...r }));
          if (withLog) m.xadd('bench:log', 'MAXLEN', '~', '100000', '*', 'd', entry(id));
        }
        return m.exec();
      };
      const pipeline = () => {
        const p = redis.pipeline();
        for (const id of ids) p.xadd('bench:log', 'MAXLEN', '~', '100000', '*', 'd', entry(id));
        return p.exec();
      };
      const final = await timed(() => multi(false));
      const both = await timed(() => multi(true));
      const log = await timed(pipeline);
      if (i >= 100) {
        samples.final.push(final);
        samples.both.push(both);
        samples.log.push(log);
      }
    }
    const f = (xs: number[]) => `${pct(xs, 50).toFixed(0)} / ${pct(xs, 99).toFixed(0)}`;
    console.log(`| ${k} | ${f(samples.final)} | ${f(samples.both)} | ${f(samples.log)} |`);
  }
} finally {
  await redis.quit();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
