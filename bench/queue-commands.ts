/**
 * `node --import tsx bench/queue-commands.ts [--jobs 3000] [--clients 16] [--concurrency 64] [--handler-ms 0]`:
 * BullMQ's own Redis commands per prediction job, with the job options and worker settings the
 * API and the workers use (PREDICTION_JOB_OPTIONS, createPredictionWorker), against a real Redis
 * and nothing else: `clients` closed loops each add one job and wait until the worker ran it
 * (REST submissions that share no job), the handler waiting `--handler-ms` (a batch's wait and run). Reports commands per job by
 * command, round trips (script runs and plain commands sent) per job and CPU per job (this
 * process, producer and worker together, and Redis's from /proc).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newPredictionId, PRIORITY_CLASSES, type PredictionJobData } from '@inferq/contract';
import { createRedisConnection, startEmbeddedRedis, waitUntilReady } from '@inferq/redis';
import { createPredictionWorker, PredictionQueues } from '@inferq/queue';
import { processCpuMicros } from './lib/cpu.js';

const { values: args } = parseArgs({ options: { jobs: { type: 'string', default: '3000' }, clients: { type: 'string', default: '16' }, concurrency: { type: 'string', default: '64' }, 'handler-ms': { type: 'string', default: '0' } } });
const handlerMs = Number(args['handler-ms']);
const total = Number(args.jobs);
const clients = Number(args.clients);
const prefix = 'queue-bench';
const dir = mkdtempSync(join(tmpdir(), 'inferq-queue-'));
const redis = await startEmbeddedRedis({ dir });
const producerConnection = createRedisConnection(redis.url, 'producer');
const workerConnection = createRedisConnection(redis.url, 'worker');
await Promise.all([waitUntilReady(producerConnection), waitUntilReady(workerConnection)]);
const queues = new PredictionQueues(producerConnection, prefix, (error) => console.error(error));
const waiting = new Map<string, () => void>();
const worker = createPredictionWorker('iris', async ({ data }) => {
  // A prediction waits for its batch in the worker (micro-batcher, session.run): `--handler-ms`.
  if (handlerMs > 0) await new Promise((resolve) => setTimeout(resolve, handlerMs));
  waiting.get(data.id)?.();
  return 1;
}, {
  connection: workerConnection, prefix, concurrency: Number(args.concurrency), lockDurationMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 1,
  requeue: async () => {}, onGivenUp: () => {},
});
worker.on('error', (error) => console.error(error));

/** One client: `count` jobs, one at a time. */
async function client(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = newPredictionId();
    const ran = new Promise<void>((resolve) => waiting.set(id, resolve));
    const data: PredictionJobData = { id, model: 'iris', version: '1', createdAt: Date.now(), inputs: [] } as unknown as PredictionJobData;
    await queues.enqueue(data, { priority: PRIORITY_CLASSES.normal });
    await ran;
    waiting.delete(id);
  }
}

const commands = async (): Promise<Record<string, number>> => Object.fromEntries([...(await producerConnection.info('commandstats')).matchAll(/cmdstat_([a-z|_-]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
await Promise.all(Array.from({ length: clients }, () => client(20))); // warm-up (JIT, script loading)
const [cpu0, redis0, calls0, t0] = [process.cpuUsage(), processCpuMicros(redis.process.pid), await commands(), performance.now()];
await Promise.all(Array.from({ length: clients }, () => client(Math.ceil(total / clients))));
const [cpu1, redis1, calls1, t1] = [process.cpuUsage(cpu0), processCpuMicros(redis.process.pid), await commands(), performance.now()];
const jobs = Math.ceil(total / clients) * clients;
const perJob = Object.fromEntries(Object.entries(calls1).map(([k, v]) => [k, (v - (calls0[k] ?? 0) - (k === 'info' ? 1 : 0)) / jobs] as const).filter(([, v]) => v > 0.001).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Number(v.toFixed(2))]));
const sum = Object.values(perJob).reduce((a, b) => a + b, 0);
const roundTrips = (perJob.evalsha ?? 0) + (perJob.bzpopmin ?? 0) + (perJob.eval ?? 0);
console.log(`${jobs} jobs, ${clients} clients, ${(jobs / ((t1 - t0) / 1000)).toFixed(0)} jobs/s`);
console.log(`node µs/job ${((cpu1.user + cpu1.system) / jobs).toFixed(1)}, Redis µs/job ${((redis1 - redis0) / jobs).toFixed(1)}, commands/job ${sum.toFixed(2)}, script runs + blocking pops/job ${roundTrips.toFixed(2)}`);
console.log(JSON.stringify(perJob));
await worker.close();
await queues.close();
producerConnection.disconnect();
workerConnection.disconnect();
await redis.kill();
rmSync(dir, { recursive: true, force: true });
