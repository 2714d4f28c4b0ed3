/**
 * `npm run bench:ocr [-- --quick] [-- --images N]`: OCR images/s end to end through the service (API + 1 worker +
 * Redis, POST /v2/models/ocr/infer with a PNG, `clients` requests in flight) against the limit,
 * the same steps run by hand in this process (`runOcrByHand`, one image after another), in the
 * same run. An image takes seconds on a small CPU, so each point is a fixed number of images
 * timed from first send to last answer, not a fixed duration.
 * Pages are drawn by sharp (bench/lib/ocr-images.ts): 900 × 300, 4 lines, one upside down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// Before onnxruntime loads: its telemetry off (docs/configuration: ORT_DISABLE_TELEMETRY).
import '@inferq/env/onnxruntime-defaults';
import { closeOcrSessions, loadOcrSessions, runOcrByHand } from '@inferq/ocr';
import { startEmbeddedRedis } from '@inferq/redis';
import { renderOcrPages } from './lib/ocr-images.js';
import { percentile } from './lib/stats.js';
import { startStack } from './scenarios/ours.js';
import { MODELS_DIR } from './lib/workloads.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, images: { type: 'string' } } });
const quick = args.quick;
const threads = availableParallelism();
/** Images per point (`--images N`). */
const images = args.images === undefined ? (quick ? 4 : 12) : Number.parseInt(args.images, 10);
if (!Number.isInteger(images) || images < 1 || images > 10_000) throw new Error(`--images must be an integer in [1, 10000], got ${args.images}`);
const clientSweep = quick ? [4] : [1, 4, 8];
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** Runs `count` calls of `one(i)`, at most `clients` at a time; images/s and latency percentiles. */
async function timed(count: number, clients: number, one: (i: number) => Promise<void>): Promise<{ perS: number; p50: number; p95: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await one(i);
      latencies.push(performance.now() - t0);
    }
  }));
  return { perS: count / ((performance.now() - start) / 1000), p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

const pages = await renderOcrPages();
console.log(`# OCR benchmark${quick ? ' (quick)' : ''}: ${threads} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; onnxruntime intra-op threads = ${threads}; ${images} images per point`);

// limit: the steps by hand, one process, no queue.
const sessions = await loadOcrSessions({
  det: join(MODELS_DIR, 'ocr-det', '1', 'model.onnx'),
  cls: join(MODELS_DIR, 'text-orientation', '1', 'model.onnx'),
  rec: join(MODELS_DIR, 'ocr-rec', '1', 'model.onnx'),
  dictionary: join(MODELS_DIR, 'ocr-rec', '1', 'dictionary.txt'),
}, threads);
let limit: { perS: number; p50: number; p95: number };
try {
  for (const page of pages) await runOcrByHand(page.png, sessions); // warm-up
  limit = await timed(images, 1, async (i) => { await runOcrByHand(pages[i % pages.length]!.png, sessions); });
} finally {
  await closeOcrSessions(sessions);
}
console.log(`limit (runOcrByHand, one image at a time): ${fmt(limit.perS)} images/s, p50 ${fmt(limit.p50, 0)} ms, p95 ${fmt(limit.p95, 0)} ms`);

// ours: the served pipeline.
const redisDir = mkdtempSync(join(tmpdir(), 'inferq-bench-ocr-'));
const redis = await startEmbeddedRedis({ dir: redisDir });
try {
  const stack = await startStack(redis.url, 1, threads, { SYNC_TIMEOUT_MS: '600000' });
  try {
    const bodies = pages.map((page) => JSON.stringify({ inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [page.png.toString('base64')] }] }));
    const send = async (i: number) => {
      const response = await stack.http.send('POST', '/v2/models/ocr/infer', bodies[i % bodies.length]!, { 'content-type': 'application/json' });
      if (response.status !== 200) throw new Error(`POST /v2/models/ocr/infer: ${response.status} ${response.body.slice(0, 300)}`);
    };
    for (let i = 0; i < pages.length; i++) await send(i); // warm-up
    console.log('\n| clients | images/s | p50 ms | p95 ms | ÷ limit |\n| --- | --- | --- | --- | --- |');
    for (const clients of clientSweep) {
      const result = await timed(images, clients, send);
      console.log(`| ${clients} | ${fmt(result.perS)} | ${fmt(result.p50, 0)} | ${fmt(result.p95, 0)} | ${fmt(result.perS / limit.perS)} |`);
    }
  } finally {
    await stack.stop();
  }
} finally {
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}
