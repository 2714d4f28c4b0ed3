/**
 * `npm run bench:soak [-- --seconds 300] [-- --model iris]`: open-loop load at 70% of the measured
 * saturation for a long run, sampling worker RSS every 10 s. Reports growth from the first sample
 * after warm-up to the last (target: ≤ 5%).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis } from '@inferq/redis';
import { openLoop } from './lib/load.js';
import { rssMiB } from './lib/processes.js';
import { measureClosed, sender, startStack } from './scenarios/ours.js';
import { workloads } from './lib/workloads.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '300' }, model: { type: 'string', default: 'iris' } } });
const seconds = Number(args.seconds);
const model = args.model;
if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`--seconds must be a positive integer (got "${args.seconds}")`);
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
  }, 10_000);
  const result = await openLoop(sender(stack, w, 'rest+push'), rate, seconds * 1000);
  clearInterval(sampler);
  // Growth from the first sample after 30 s of warm-up (JIT, pools and caches settle) to the last.
  const base = samples.find((s) => s.t >= 30) ?? samples[0]!;
  const last = samples.at(-1)!;
  const growth = ((last.rss - base.rss) / base.rss) * 100;
  console.log(`completed ${result.completed}, errors ${result.errors}, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);
  console.log(`worker RSS ${base.rss.toFixed(1)} MiB at t=${base.t}s → ${last.rss.toFixed(1)} MiB at t=${last.t}s: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% (target ≤ 5%)`);
} finally {
  await stack.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
