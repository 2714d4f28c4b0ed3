/**
 * `npm run bench [-- --quick] [-- --write]`: every scenario, one run, one machine, one table.
 *   limit   raw onnxruntime, best batch size of a sweep           (the hardware ceiling)
 *   naive   Fastify + session.run per request                     (what users write without us)
 *   ceiling BullMQ one job per request with a no-op processor     (the queue's ceiling)
 *   ours    the service: REST submit + WebSocket push, WebSocket predict; closed and open loop
 * Ratios are computed within the run, never compared with numbers from another machine.
 * --quick runs in under a minute (CI smoke); --write replaces the results section of docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis } from '@inferq/redis';
import { measureLimit, type LimitResult } from './scenarios/limit.js';
import { measureNaive } from './scenarios/naive.js';
import { measureClosed, measureOpen, redisCommandsPerPrediction, startStack, withCost } from './scenarios/ours.js';
import { COST_TABLE_HEAD, costTable, type CostReport } from './lib/cost-model.js';
import { measureQueueCeiling } from './scenarios/queue-ceiling.js';
import type { LoadResult } from './lib/stats.js';
import { REPO_ROOT, workloads } from './lib/workloads.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, write: { type: 'boolean', default: false } } });
const { quick, write } = args;
const cores = availableParallelism();
const threads = cores;
const durationMs = quick ? 800 : 4_000;
const clientSweep = quick ? [1, 32] : [1, 8, 32, 128];
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const lines: string[] = [];
const out = (line = '') => {
  lines.push(line);
  console.log(line);
};

const started = Date.now();
const redisDir = mkdtempSync(join(tmpdir(), 'inferq-bench-'));
const redis = await startEmbeddedRedis({ dir: redisDir });
const results: Record<string, unknown> = { quick, cores, cpu: cpus()[0]?.model, node: process.version, at: new Date().toISOString() };

try {
  const models = workloads();
  out(`# inferq benchmark${quick ? ' (quick)' : ''}: ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
  out(`API + 1 worker + Redis + load generator all on this machine; onnxruntime intra-op threads = ${threads}; ${durationMs} ms per point.`);
  out();

  const limits: Record<string, LimitResult> = {};
  for (const w of models) limits[w.model] = await measureLimit(w, threads, quick ? 0.3 : 1.5);
  results.limit = limits;
  out('## limit: raw onnxruntime-node, items/s by batch size');
  for (const w of models) {
    const l = limits[w.model]!;
    out(`- ${w.model}: ${Object.entries(l.perBatch).map(([b, v]) => `b${b} ${fmt(v)}`).join(', ')} → best ${fmt(l.bestItemsPerS)} at batch ${l.bestBatch}; single run p50 ${fmt(l.singleMs, 3)} ms`);
  }
  out();

  const naive = await measureNaive(models, threads, clientSweep, durationMs);
  results.naive = naive;
  const ceiling = await measureQueueCeiling(redis.url, clientSweep[clientSweep.length - 1]!, durationMs);
  results.ceiling = ceiling;

  // As `npm start` runs it: the monitor consumes the prediction log (its CPU is part of the cost).
  const stack = await startStack(redis.url, 1, threads, {}, { monitor: true });
  const ours: Record<string, Record<string, LoadResult & { workerRssMiB?: number; cost: CostReport }>> = {};
  const pid = redis.process.pid;
  const commands: Record<string, unknown> = {};
  try {
    for (const w of models) {
      ours[w.model] = {};
      for (const k of clientSweep) ours[w.model]![`rest+push k=${k}`] = await withCost(stack, pid, () => measureClosed(stack, w, 'rest+push', k, durationMs));
      const kMax = clientSweep[clientSweep.length - 1]!;
      ours[w.model]![`ws k=${kMax}`] = await withCost(stack, pid, () => measureClosed(stack, w, 'ws', kMax, durationMs));
      for (const k of clientSweep) ours[w.model]![`binary rest+push k=${k}`] = await withCost(stack, pid, () => measureClosed(stack, w, 'binary rest+push', k, durationMs));
      ours[w.model]![`binary ws k=${kMax}`] = await withCost(stack, pid, () => measureClosed(stack, w, 'binary ws', kMax, durationMs));
      // Open loop drives JSON REST + push (measureOpen), so its rates are fractions of what that
      // transport reached closed-loop, not of the faster WebSocket or binary figures.
      const saturation = Math.max(...clientSweep.map((k) => ours[w.model]![`rest+push k=${k}`]!.throughput));
      for (const fraction of quick ? [0.5] : [0.5, 0.8, 1.0, 1.2]) {
        const rate = Math.max(1, Math.round(saturation * fraction));
        ours[w.model]![`open ${Math.round(fraction * 100)}% (${rate}/s)`] = await withCost(stack, pid, () => measureOpen(stack, w, rate, durationMs));
      }
      commands[w.model] = await redisCommandsPerPrediction(stack, w, quick ? 100 : 500);
    }
  } finally {
    await stack.stop();
  }
  results.ours = ours;
  results.redisCommands = commands;

  out('## results (throughput in predictions/s, latency end to end in ms)');
  out();
  out('| model | scenario | throughput | p50 | p95 | p99 | errors | worker RSS MiB |');
  out('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const w of models) {
    out(`| ${w.model} | limit (batch ${limits[w.model]!.bestBatch}) | ${fmt(limits[w.model]!.bestItemsPerS)} | | | | | |`);
    for (const [k, r] of Object.entries(naive[w.model]!)) out(`| ${w.model} | naive k=${k} | ${fmt(r.throughput)} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} | ${fmt(r.p99, 2)} | ${r.errors} | ${fmt(r.rssMiB)} (server) |`);
    for (const [name, r] of Object.entries(ours[w.model]!)) out(`| ${w.model} | ours ${name} | ${fmt(r.throughput)} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} | ${fmt(r.p99, 2)} | ${r.errors} | ${r.workerRssMiB ? fmt(r.workerRssMiB) : ''} |`);
  }
  out(`| (no model) | BullMQ no-op ceiling k=${clientSweep[clientSweep.length - 1]} | ${fmt(ceiling.throughput)} | ${fmt(ceiling.p50, 2)} | ${fmt(ceiling.p95, 2)} | ${fmt(ceiling.p99, 2)} | ${ceiling.errors} | |`);
  out();
  out('## ratios');
  for (const w of models) {
    const best = Math.max(...Object.values(ours[w.model]!).map((r) => r.throughput));
    const naiveBest = Math.max(...Object.values(naive[w.model]!).map((r) => r.throughput));
    const one = ours[w.model]!['rest+push k=1']!;
    out(`- ${w.model}: ours/limit ${fmt(best / limits[w.model]!.bestItemsPerS, 2)}, ours/naive ${fmt(best / naiveBest, 2)}, ours/ceiling ${fmt(best / ceiling.throughput, 2)}; ` +
      `overhead at 1 client over raw single inference: p50 +${fmt(one.p50 - limits[w.model]!.singleMs, 2)} ms, p99 +${fmt(one.p99 - limits[w.model]!.singleMs, 2)} ms; ` +
      `Redis commands per prediction ${(commands[w.model] as { perPrediction: number }).perPrediction}`);
  }
  out();
  out('## where the CPU goes (µs of CPU per prediction by process, from /proc over each measured interval; Redis commands per prediction)');
  out();
  out(COST_TABLE_HEAD[0]!.replace('| scenario |', '| model | scenario |'));
  out(COST_TABLE_HEAD[1]!.replace('| --- |', '| --- | --- |'));
  for (const w of models) {
    for (const [name, r] of Object.entries(ours[w.model]!)) out(costTable(name, r.cost)[0]!.replace(/^\| /, `| ${w.model} | `));
  }
  out();
  out('Redis commands per prediction by command (16 in flight, rest+push):');
  for (const w of models) out(`- ${w.model}: ${JSON.stringify((commands[w.model] as { byCommand: unknown }).byCommand)}`);
  out();
  out(`(run took ${Math.round((Date.now() - started) / 1000)} s)`);

  mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, `bench/results/${quick ? 'quick' : 'full'}-${Date.now()}.json`), JSON.stringify(results, null, 2));
  if (write) {
    const docPath = join(REPO_ROOT, 'docs/benchmarks.md');
    const marker = '<!-- results -->';
    const doc = readFileSync(docPath, 'utf8');
    const head = doc.includes(marker) ? doc.slice(0, doc.indexOf(marker) + marker.length) : `${doc}\n${marker}`;
    writeFileSync(docPath, `${head}\n\nCommand: \`npm run bench${quick ? ' -- --quick' : ''}\`\n\n${lines.join('\n')}\n`);
  }
} finally {
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}
process.exit(0);
