/**
 * `node --import tsx bench/outcome-write.ts [--predictions 40000] [--batch 32] [--mark]`: the CPU
 * the prediction-state writes alone cost per prediction, against a real Redis and nothing else:
 * the API's `createMany` (one coalesced group per batch), the worker's `finish` (with `--mark`,
 * a `markRunning` first, as every batch did before RUNNING_MARK_DELAY_MS), and the API's
 * subscriber delivering each event to a per-id listener. Reports this process's CPU (API, worker
 * and subscriber work together), Redis's (from /proc) and Redis commands per prediction. CPU, not
 * wall time: on a shared machine it is what stays comparable between runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newPredictionId, redisKeys, type PredictionFinalEvent } from '@inferq/contract';
import { createRedisConnection, startEmbeddedRedis, waitUntilReady } from '@inferq/redis';
import { PredictionEvents, PredictionStore } from '@inferq/predictions';
import { processCpuMicros } from './lib/cpu.js';

const { values: args } = parseArgs({ options: { predictions: { type: 'string', default: '40000' }, batch: { type: 'string', default: '32' }, mark: { type: 'boolean', default: false } } });
const total = Number(args.predictions);
const batch = Number(args.batch);
const keys = redisKeys('outcome-bench');
const worker = { id: 'bench-worker', device: 'cpu' };
const dir = mkdtempSync(join(tmpdir(), 'inferq-outcome-'));
const redis = await startEmbeddedRedis({ dir });
const connection = createRedisConnection(redis.url, 'worker');
const subscriber = createRedisConnection(redis.url, 'subscriber');
await Promise.all([waitUntilReady(connection), waitUntilReady(subscriber)]);
const store = new PredictionStore(connection, keys, 86_400);
const events = new PredictionEvents(subscriber, keys, (ids) => store.getMany(ids));
await events.start();

/** One batch: create, (mark), finish, and wait until every listener heard its prediction. */
async function runBatch(): Promise<void> {
  const createdAt = Date.now();
  const ids = Array.from({ length: batch }, () => newPredictionId());
  await store.createMany(ids.map((id) => ({ id, model: 'iris', version: '1', createdAt, owner: 'k1', job: ids[0] })));
  let heard = 0;
  const all = new Promise<void>((resolve) => {
    for (const id of ids) events.onFinal(id, () => { if (++heard === ids.length) resolve(); });
  });
  if (args.mark) await store.markRunning(ids.map((id) => ({ id, model: 'iris' })), worker);
  const finals: PredictionFinalEvent[] = ids.map((id, i) => ({
    id, model: 'iris', version: '1', createdAt, status: 'completed', worker, origin: 'api-1',
    timings: { queueWaitMs: 3, inferenceMs: 0.05, totalMs: 4, batchSize: batch, batchRequests: batch },
    result: { model_name: 'iris', model_version: '1', id, outputs: [
      { name: 'label', datatype: 'INT64', shape: [1], data: [i % 3] },
      { name: 'probabilities', datatype: 'FP32', shape: [1, 3], data: [0.8999999761581421, 0.07000000029802322, 0.029999999329447746] },
    ] },
  }));
  await store.finish(finals);
  await all;
}

const commands = async (): Promise<Record<string, number>> => Object.fromEntries([...(await connection.info('commandstats')).matchAll(/cmdstat_([a-z|_-]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
for (let i = 0; i < 200; i++) await runBatch(); // warm-up (JIT, script loading)
const [cpu0, redis0, calls0] = [process.cpuUsage(), processCpuMicros(redis.process.pid), await commands()];
const batches = Math.ceil(total / batch);
for (let i = 0; i < batches; i++) await runBatch();
const [cpu1, redis1, calls1] = [process.cpuUsage(cpu0), processCpuMicros(redis.process.pid), await commands()];
const n = batches * batch;
const perCommand: Record<string, number> = {};
for (const [command, calls] of Object.entries(calls1)) {
  const per = Math.round(((calls - (calls0[command] ?? 0)) / n) * 100) / 100;
  if (per > 0) perCommand[command] = per;
}
const perPrediction = (micros: number) => Math.round((micros / n) * 10) / 10;
console.log(`${n} predictions in batches of ${batch}${args.mark ? ', marked running' : ''}: node ${perPrediction(cpu1.user + cpu1.system)} µs, Redis ${perPrediction(redis1 - redis0)} µs of CPU per prediction; Redis commands per prediction ${Object.values(perCommand).reduce((a, b) => a + b, 0).toFixed(2)} ${JSON.stringify(perCommand)}`);
await events.close();
await connection.quit();
await redis.stop();
rmSync(dir, { recursive: true, force: true });
