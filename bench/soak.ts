/**
 * `npm run bench:soak [-- --seconds 900] [-- --model iris]`: open-loop load at 70% of the measured
 * saturation for a long run, sampling worker RSS every 5 s. Reports growth as the median of the
 * last minute's samples over the median of the first minute after a minute of warm-up (JIT, pools
 * and caches settle), so one GC cycle at either end does not decide the figure (target: ≤ 2%).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis } from '@inferq/redis';
import { formatErrorKinds } from './lib/error-kinds.js';
import { openLoop } from './lib/load.js';
import { rssMiB } from './lib/processes.js';
import { measureClosed, sender, startStack } from './scenarios/ours.js';
import { workloads } from './lib/workloads.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '900' }, model: { type: 'string', default: 'iris' } } });
const seconds = Number(args.seconds);
const model = args.model;
if (!Number.isInteger(seconds) || seconds < 150) throw new Error(`--seconds must be an integer ≥ 150: a minute of warm-up and two minutes to compare (got "${args.seconds}")`);
const w = workloads().find((x) => x.model === model);
if (!w) throw new Error(`--model must be one of ${workloads().map((x) => x.model).join(', ')} (got "${model}")`);
const dir = mkdtempSync(join(tmpdir(), 'inferq-soak-'));
const redis = await startEmbeddedRedis({ dir });
const stack = await startStack(redis.url, 1, 2);
try {
  const saturation = (await measureClosed(stack, w, 'ws', 32, 3_000)).throughput;
  const rate = Math.round(saturation * 0.7);
  console.log(`${model}: saturation ${saturation.toFixed(0)}/s → soak at ${rate}/s for ${seconds} s`);
  const samples: Array<{ t: number; rss: number }> = [];
  const pid = stack.workers[0]!.process.pid;
  const started = Date.now();
  const sampler = setInterval(() => {
    samples.push({ t: Math.round((Date.now() - started) / 1000), rss: rssMiB(pid) });
    console.log(`t=${samples.at(-1)!.t}s worker RSS ${samples.at(-1)!.rss.toFixed(1)} MiB`);
  }, 5_000);
  const result = await openLoop(sender(stack, w, 'rest+push'), rate, seconds * 1000);
  clearInterval(sampler);
  const end = samples.at(-1)!.t;
  const base = median(samples.filter((s) => s.t >= 60 && s.t < 120).map((s) => s.rss));
  const last = median(samples.filter((s) => s.t > end - 60).map((s) => s.rss));
  const growth = ((last - base) / base) * 100;
  const range = samples.filter((s) => s.t >= 60).map((s) => s.rss);
  console.log(`completed ${result.completed}, errors ${result.errors} (${formatErrorKinds(result.errorKinds)}), p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);
  console.log(`worker RSS, median of t=60-120 s ${base.toFixed(1)} MiB → median of the last minute ${last.toFixed(1)} MiB (t=${end} s): ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% (target ≤ 2%); range after warm-up ${Math.min(...range).toFixed(1)}-${Math.max(...range).toFixed(1)} MiB`);
} finally {
  await stack.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
}
