/**
 * `node --import tsx bench/prediction-log.ts [--rounds 3] [--duration 4000] [--clients 1,32]`:
 * the cost of the prediction log. The same stack (API + 1 worker + Redis, child processes) runs
 * twice, PREDICTION_LOG_SAMPLE_RATE=0 (off) and 1 (every prediction logged), alternating
 * off/on `rounds` times per point so machine drift hits both alike; closed loop over REST with
 * results pushed over the WebSocket. Reports end-to-end latency and throughput per setting (the
 * median over rounds), and the log's length (XLEN, all points so far) as a check that logging was on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.js';
import { startEmbeddedRedis } from '@inferq/redis';
import type { LoadResult } from './lib/stats.js';
import { workloads } from './lib/workloads.js';
import { measureClosed, startStack } from './scenarios/ours.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '4000' }, clients: { type: 'string', default: '1,32' } } });
const rounds = Number(values.rounds);
const durationMs = Number(values.duration);
const clientCounts = values.clients.split(',').map(Number);
const threads = availableParallelism();
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');

const dir = mkdtempSync(join(tmpdir(), 'inferq-bench-log-'));
// One Redis per setting, so the log's length is that setting's alone.
const servers = { off: await startEmbeddedRedis({ dir: join(dir, 'off') }), on: await startEmbeddedRedis({ dir: join(dir, 'on') }) };
try {
  console.log(`# prediction log cost: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
  console.log(`API + 1 worker + Redis + load generator on this machine; ${rounds} alternating rounds of ${durationMs} ms per point; median of rounds.\n`);
  console.log('| model | clients | log | throughput (pred/s) | p50 ms | p95 ms | p99 ms | log entries |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const stacks = {
    off: await startStack(servers.off.url, 1, threads, { PREDICTION_LOG_SAMPLE_RATE: '0' }),
    on: await startStack(servers.on.url, 1, threads, { PREDICTION_LOG_SAMPLE_RATE: '1' }),
  };
  try {
    for (const w of workloads()) {
      for (const clients of clientCounts) {
        const runs: Record<'off' | 'on', LoadResult[]> = { off: [], on: [] };
        for (let round = 0; round < rounds; round++) {
          for (const setting of ['off', 'on'] as const) runs[setting].push(await measureClosed(stacks[setting], w, 'rest+push', clients, durationMs));
        }
        for (const setting of ['off', 'on'] as const) {
          const r = runs[setting];
          const [key] = await stacks[setting].redis.keys('*:prediction-log');
          const logged = key ? await stacks[setting].redis.xlen(key) : 0;
          console.log(`| ${w.model} | ${clients} | ${setting} | ${fmt(median(r.map((x) => x.throughput)), 0)} | ${fmt(median(r.map((x) => x.p50)), 2)} | ${fmt(median(r.map((x) => x.p95)), 2)} | ${fmt(median(r.map((x) => x.p99)), 2)} | ${logged} |`);
        }
      }
    }
  } finally {
    await stacks.off.stop();
    await stacks.on.stop();
  }
} finally {
  await servers.off.stop();
  await servers.on.stop();
  rmSync(dir, { recursive: true, force: true });
}
