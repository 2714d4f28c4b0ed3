/**
 * `npm run bench:batch [-- --rows 200000] [-- --bytes 1073741824] [-- --quick]`: batch prediction jobs.
 *   1. online p50: sequential single-row `POST /v2/models/iris/infer`, idle, then while a batch of
 *      `--rows` iris rows runs (same run, same processes: the ratio is the figure);
 *   2. batch rows/s: that batch's rows over its running time;
 *   3. memory: RSS of the API and the worker while a generated `--bytes` CSV streams in (upload,
 *      validation) and then runs for 20 s; the batch is then cancelled (running all of a 1 GiB file
 *      would take hours at these rates; the file's bytes all pass through the API either way).
 * API, worker, Redis and the client on this machine, as child processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis, freePort } from '@inferq/redis';
import { irisBatchRows, irisCsv, irisCsvStream } from '../test/helpers/batch-inputs.js';
import { rssMiB, startChild, waitFor } from './lib/processes.js';
import { percentile } from './lib/stats.js';
import { MODELS_DIR } from './lib/workloads.js';

const { values: args } = parseArgs({ options: {
  rows: { type: 'string', default: '200000' },
  bytes: { type: 'string', default: String(1024 ** 3) },
  quick: { type: 'boolean', default: false },
} });
const rows = args.quick ? 20_000 : Number(args.rows);
const bytes = args.quick ? 32 * 1024 ** 2 : Number(args.bytes);

interface BatchView { id: string; status: string; total: number; done: number; failed: number; startedAt?: number; finishedAt?: number }

const dir = mkdtempSync(join(tmpdir(), 'inferq-bench-batch-'));
const redis = await startEmbeddedRedis({ dir: join(dir, 'redis') });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  REDIS_URL: redis.url, KEY_PREFIX: 'benchbatch', MODEL_REPOSITORY: MODELS_DIR, BATCH_DATA_DIR: join(dir, 'batches'),
  REQUEST_TIMEOUT_MS: '3600000', ORT_INTRA_OP_THREADS: '1',
};
const api = startChild('apps/api/src/main.ts', { ...env, PORT: String(port) });
const worker = startChild('apps/worker/src/main.ts', { ...env, DEVICE: 'cpu', WORKER_ID: 'bench-batch-w0' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const online = async (): Promise<number> => {
  const started = performance.now();
  const response = await fetch(`${base}/v2/models/iris/infer`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [6.1, 2.8, 4.7, 1.2] }] }),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`online prediction answered ${response.status}`);
  return performance.now() - started;
};
const read = async (id: string): Promise<BatchView> => (await (await fetch(`${base}/v1/batches/${id}`)).json()) as BatchView;
const final = (b: BatchView) => !['queued', 'running'].includes(b.status);

try {
  await waitFor(async () => (await fetch(`${base}/v2/health/ready`)).ok, 60_000, 'the API');
  for (let i = 0; i < 50; i++) await online(); // warm-up
  const idle: number[] = [];
  for (let i = 0; i < 300; i++) idle.push(await online());

  const created = await fetch(`${base}/v1/models/iris/batches?chunkSize=1000`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: irisCsv(irisBatchRows(rows)) });
  const { id } = (await created.json()) as BatchView;
  while ((await read(id)).status === 'queued') await sleep(20);
  const during: number[] = [];
  let batch = await read(id);
  while (!final(batch)) {
    during.push(await online());
    if (during.length % 20 === 0) batch = await read(id);
  }
  batch = await read(id);
  const seconds = (batch.finishedAt! - batch.startedAt!) / 1000;

  // Memory while a large input streams through the API and the worker starts on it.
  const rss = { api: [rssMiB(api.process.pid)], worker: [rssMiB(worker.process.pid)] };
  const sample = setInterval(() => {
    rss.api.push(rssMiB(api.process.pid));
    rss.worker.push(rssMiB(worker.process.pid));
  }, 200);
  const uploadStarted = performance.now();
  const big = await fetch(`${base}/v1/models/iris/batches?chunkSize=5000`, {
    method: 'POST', headers: { 'content-type': 'text/csv' }, body: Readable.toWeb(irisCsvStream(bytes)) as ReadableStream, duplex: 'half',
  } as RequestInit);
  const bigBatch = (await big.json()) as BatchView;
  const uploadSeconds = (performance.now() - uploadStarted) / 1000;
  await sleep(20_000);
  const bigProgress = await read(bigBatch.id);
  await fetch(`${base}/v1/batches/${bigBatch.id}`, { method: 'DELETE' });
  clearInterval(sample);
  const growth = (s: number[]) => Math.max(...s) - s[0]!;

  const p50Idle = percentile(idle, 50);
  const p50During = percentile(during, 50);
  console.log(`# batch benchmark: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; API + 1 worker + Redis + client on this machine`);
  console.log('');
  console.log('| figure | value |');
  console.log('| --- | --- |');
  console.log(`| batch of ${rows} iris rows (chunkSize 1000, priority low) | ${batch.status}, ${(batch.done / seconds).toFixed(0)} rows/s (${seconds.toFixed(1)} s) |`);
  console.log(`| online p50, idle (${idle.length} sequential v2 infer) | ${p50Idle.toFixed(2)} ms |`);
  console.log(`| online p50 during the batch (${during.length} requests) | ${p50During.toFixed(2)} ms (${(p50During / p50Idle).toFixed(2)}× idle) |`);
  console.log(`| online p99 idle / during | ${percentile(idle, 99).toFixed(2)} / ${percentile(during, 99).toFixed(2)} ms |`);
  console.log(`| ${(bytes / 1024 ** 2).toFixed(0)} MiB CSV (${bigBatch.total} rows): upload + validation | ${uploadSeconds.toFixed(1)} s (${(bytes / 1024 ** 2 / uploadSeconds).toFixed(1)} MiB/s) |`);
  console.log(`| RSS growth over upload, validation and 20 s of running (${bigProgress.done} rows done) | API ${growth(rss.api).toFixed(1)} MiB (from ${rss.api[0]!.toFixed(0)}), worker ${growth(rss.worker).toFixed(1)} MiB (from ${rss.worker[0]!.toFixed(0)}) |`);
} finally {
  await api.stop();
  await worker.stop();
  await redis.kill();
  rmSync(dir, { recursive: true, force: true });
}
