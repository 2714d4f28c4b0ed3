/**
 * `npm run bench:ocr [-- --quick]`: OCR images/s end to end through the service (API + 1 worker +
 * Redis, POST /v2/models/ocr/infer with a PNG, closed loop) against the limit, the same steps run
 * by hand in this process (`runOcrByHand`, one image after another), in the same run.
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
import { closedLoop } from './lib/load.js';
import { renderOcrPages } from './lib/ocr-images.js';
import { startStack } from './scenarios/ours.js';
import { MODELS_DIR } from './lib/workloads.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = args.quick;
const threads = availableParallelism();
const durationMs = quick ? 3_000 : 20_000;
const clientSweep = quick ? [2] : [1, 4, 8];
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

const pages = await renderOcrPages();
console.log(`# OCR benchmark${quick ? ' (quick)' : ''}: ${threads} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; onnxruntime intra-op threads = ${threads}; ${durationMs} ms per point`);

// limit: the steps by hand, one process, no queue.
const sessions = await loadOcrSessions({
  det: join(MODELS_DIR, 'ocr-det', '1', 'model.onnx'),
  cls: join(MODELS_DIR, 'text-orientation', '1', 'model.onnx'),
  rec: join(MODELS_DIR, 'ocr-rec', '1', 'model.onnx'),
  dictionary: join(MODELS_DIR, 'ocr-rec', '1', 'dictionary.txt'),
}, threads);
let limit: number;
try {
  for (const page of pages) await runOcrByHand(page.png, sessions); // warm-up
  const result = await closedLoop(async () => { await runOcrByHand(pages[Math.floor(Math.random() * pages.length)]!.png, sessions); }, 1, durationMs, 0);
  limit = result.throughput;
  console.log(`limit (runOcrByHand, sequential): ${fmt(limit)} images/s, p50 ${fmt(result.p50, 0)} ms`);
} finally {
  await closeOcrSessions(sessions);
}

// ours: the served pipeline.
const redisDir = mkdtempSync(join(tmpdir(), 'inferq-bench-ocr-'));
const redis = await startEmbeddedRedis({ dir: redisDir });
try {
  const stack = await startStack(redis.url, 1, threads, { SYNC_TIMEOUT_MS: '120000' });
  try {
    const bodies = pages.map((page) => JSON.stringify({ inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [page.png.toString('base64')] }] }));
    let failure = '';
    const send = async () => {
      const response = await stack.http.send('POST', '/v2/models/ocr/infer', bodies[Math.floor(Math.random() * bodies.length)]!, { 'content-type': 'application/json' });
      if (response.status !== 200) { failure = `${response.status} ${response.body.slice(0, 300)}`; throw new Error(failure); }
    };
    await send(); // warm-up (and a clear error if the pipeline is not served)
    console.log('\n| clients | images/s | p50 ms | p95 ms | errors | ÷ limit |\n| --- | --- | --- | --- | --- | --- |');
    for (const clients of clientSweep) {
      const result = await closedLoop(send, clients, durationMs, 1_000);
      console.log(`| ${clients} | ${fmt(result.throughput)} | ${fmt(result.p50, 0)} | ${fmt(result.p95, 0)} | ${result.errors} | ${fmt(result.throughput / limit)} |`);
    }
    if (failure !== '') console.log(`last error: ${failure}`);
  } finally {
    await stack.stop();
  }
} finally {
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}
