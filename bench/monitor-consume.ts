/**
 * `node --import tsx bench/monitor-consume.ts [--predictions 10000] [--rate 1000] [--batch 32] [--window-size 50] [--warmup 0]`:
 * the monitor's CPU per prediction, alone. A writer appends iris prediction log entries as a
 * worker does (one batch entry, one XADD, per batch of `batch`, `rate` predictions/s), a monitor process
 * (`npm start`'s, default settings but WINDOW_SIZE) consumes them, and the run ends when every
 * entry is acknowledged and every window reported. Prints the monitor's and Redis's CPU per
 * prediction (from /proc) and Redis commands per prediction by command. No API, worker or load
 * generator competes with it, so it is the figure to compare monitor changes with. `--warmup n`
 * sends n predictions first, unmeasured, and waits until they are handled: the measured interval
 * then leaves out the JIT compiling the monitor's window code (see docs/benchmarks.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redisKeys } from '@inferq/contract';
import { loadModelRepository } from '@inferq/model-repository';
import { PredictionLog } from '@inferq/predictions';
import { createRedisConnection, startEmbeddedRedis } from '@inferq/redis';
import { logBatch } from '../apps/worker/src/prediction-log-writer.js';
import { readFileSync } from 'node:fs';
import { processCpuMicros, threadCpuByName, threadCpuMicros } from './lib/cpu.js';
import { startChild } from './lib/processes.js';
import { MODELS_DIR } from './lib/workloads.js';

const { values: args } = parseArgs({
  options: {
    predictions: { type: 'string', default: '10000' }, rate: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '32' }, 'window-size': { type: 'string', default: '50' }, warmup: { type: 'string', default: '0' },
  },
});
const total = Number(args.predictions);
const rate = Number(args.rate);
const batchSize = Number(args.batch);
const windowSize = Number(args['window-size']);
const warmup = Number(args.warmup);

const { repository } = loadModelRepository(MODELS_DIR);
const iris = repository.resolve('iris', '1');
const flowers = readFileSync(join(MODELS_DIR, 'iris', '1', 'reference.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
/** The log entry of one batch, as the worker writes it (summaries of real iris rows). */
function batchEntry(first: number, count: number) {
  return logBatch(iris, Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const flower = flowers[i % flowers.length]!;
    const input = { name: 'features', datatype: 'FP32' as const, shape: [1, 4], data: Float32Array.from(flower.slice(0, 4)) };
    const label = flower[4]!;
    const outputs = [
      { name: 'probabilities', datatype: 'FP32' as const, shape: [1, 3], data: Float32Array.from([0, 1, 2].map((c) => (c === label ? 0.9 : 0.05))) },
      { name: 'label', datatype: 'INT64' as const, shape: [1], data: BigInt64Array.from([BigInt(label)]) },
    ];
    const event = { id: `bench-${i}`, model: 'iris', version: '1', status: 'completed' as const, createdAt: Date.now() - 5, timings: { totalMs: 5, queueWaitMs: 1, inferenceMs: 1, batchSize: count, batchRequests: count }, worker: { id: 'w', device: 'cpu' } };
    return { item: { rows: 1, inputs: [input] }, outcome: { ok: true as const, outputs, inferenceMs: 1, batchRows: count, batchRequests: count }, event };
  }), Date.now(), 1);
}

const dir = mkdtempSync(join(tmpdir(), 'inferq-monitor-bench-'));
const server = await startEmbeddedRedis({ dir });
try {
  const prefix = `mb${Date.now()}`;
  const keys = redisKeys(prefix);
  const writer = createRedisConnection(server.url, 'worker');
  const log = new PredictionLog(writer, keys);
  const monitor = startChild('apps/monitor/src/main.ts', {
    REDIS_URL: server.url, KEY_PREFIX: prefix, MODEL_REPOSITORY: MODELS_DIR, MONITOR_ID: 'bench', WINDOW_SIZE: String(windowSize),
  });
  const deadline = Date.now() + 60_000;
  while ((await writer.exists(keys.monitorHeartbeat('bench'))) === 0) {
    if (Date.now() > deadline) throw new Error(`the monitor did not start: ${monitor.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  /** Sends predictions first..first+count at `rate`, in worker batches. */
  const send = async (first: number, count: number) => {
    const started = Date.now();
    for (let sent = 0; sent < count; sent += batchSize) {
      const n = Math.min(batchSize, count - sent);
      await log.appendBatch(batchEntry(first + sent, n));
      const due = started + ((sent + n) / rate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  };
  /** Until every entry is read and acknowledged and `windows` windows are reported (bounded: 120 s). */
  const caughtUp = async (expectedWindows: number) => {
    const until = Date.now() + 120_000;
    for (;;) {
      const [, , , , , pending, , lastDelivered] = ((await writer.xinfo('GROUPS', keys.predictionLog)) as Array<Array<string | number>>)[0]!;
      const [lastEntry] = await writer.xrevrange(keys.predictionLog, '+', '-', 'COUNT', 1);
      const windows = Number((await writer.hget(keys.monitorWindowMeta('predictions', 'iris', '1'), 'seq')) ?? 0);
      if (pending === 0 && lastDelivered === lastEntry?.[0] && windows >= expectedWindows && (await writer.llen(keys.monitorReports('iris', '1'))) >= Math.min(expectedWindows, 200)) return;
      if (Date.now() > until) throw new Error(`the monitor did not catch up within 120 s (${windows}/${expectedWindows} windows, ${pending} pending)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  if (warmup > 0) {
    await send(0, warmup);
    await caughtUp(Math.floor(warmup / windowSize));
  }
  const commandStats = async () => Object.fromEntries([...(await writer.info('commandstats')).matchAll(/cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
  const before = await commandStats();
  const monitorStart = processCpuMicros(monitor.process.pid);
  const threadsStart = threadCpuMicros(monitor.process.pid);
  const byThreadStart = threadCpuByName(monitor.process.pid);
  const redisStart = processCpuMicros(server.process.pid);
  await send(warmup, total);
  await caughtUp(Math.floor((warmup + total) / windowSize));
  const monitorCpu = processCpuMicros(monitor.process.pid) - monitorStart;
  const mainThreadCpu = threadCpuMicros(monitor.process.pid).main - threadsStart.main;
  const byThread = Object.fromEntries(Object.entries(threadCpuByName(monitor.process.pid))
    .map(([name, micros]) => [name, Number(((micros - (byThreadStart[name] ?? 0)) / total).toFixed(1))] as const).filter(([, perPrediction]) => perPrediction > 0));
  const redisCpu = processCpuMicros(server.process.pid) - redisStart;
  const after = await commandStats();
  const byCommand: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    if (delta > 0 && name !== 'info') byCommand[name] = Number((delta / total).toFixed(3));
  }
  console.log(`monitor consuming ${total} iris predictions at ${rate}/s (worker batches of ${batchSize}), WINDOW_SIZE=${windowSize}${warmup > 0 ? `, after ${warmup} unmeasured` : ''}: ` +
    `monitor ${(monitorCpu / total).toFixed(1)} µs/prediction (main thread ${(mainThreadCpu / total).toFixed(1)}), Redis ${(redisCpu / total).toFixed(1)} µs/prediction (writer's XADDs included), ` +
    `Redis commands/prediction ${Object.values(byCommand).reduce((a, b) => a + b, 0).toFixed(2)} ${JSON.stringify(byCommand)}; ` +
    `monitor µs/prediction by thread ${JSON.stringify(byThread)}`);
  if (process.env.BENCH_NODE_FLAGS) console.log(monitor.output().slice(-3000));
  await monitor.stop();
  writer.disconnect();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
