/**
 * Client CPU per request: `@inferq/client` against the bench's own load clients
 * (bench/lib/ws-client.ts `PushClient`, bench/lib/http-client.ts `HttpClient`, which send
 * pre-serialised bodies and pre-built binary frames). Both drive the same real stack (embedded
 * Redis, the API and an iris + text-orientation worker as child processes); only this process's
 * CPU time (process.cpuUsage) is counted, divided by the requests it completed.
 *
 *   node --import tsx bench/client-cpu.ts [requests per run, default 3000]
 *
 * Answers whether the bench's load generator can use the SDK: on a 2-core machine shared with
 * the server, every µs the client spends is taken from the system under test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbeddedRedis } from '@inferq/redis';
import { createClient, type InferqClient } from '@inferq/client';
import { HttpClient } from './lib/http-client.js';
import { startChild, waitFor } from './lib/processes.js';
import { PushClient } from './lib/ws-client.js';
import { MODELS_DIR, workloads } from './lib/workloads.js';

const requests = Number(process.argv[2] ?? 3_000);
const CONCURRENCY = 16;

const dir = mkdtempSync(join(tmpdir(), 'inferq-client-cpu-'));
const redis = await startEmbeddedRedis({ dir });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = { REDIS_URL: redis.url, KEY_PREFIX: 'clientcpu', MODEL_REPOSITORY: MODELS_DIR };
const api = startChild('apps/api/src/main.ts', { ...env, PORT: String(port), RATE_LIMIT_PER_SECOND: '0' });
const worker = startChild('apps/worker/src/main.ts', { ...env, WORKER_ID: 'cpu-w', DEVICE: 'cpu' });

try {
  await waitFor(async () => (await fetch(`${base}/v2/health/ready`)).ok, 60_000, 'the API');
  const [iris, text] = workloads();
  const irisBodies = iris!.bodies;
  const irisRequests = irisBodies.map((b) => JSON.parse(b) as { inputs: Array<{ data: number[] }> });
  const textRows = text!.rows;
  const textFrames = textRows.map((row) => {
    const tensor = Buffer.from(row.buffer, row.byteOffset, row.byteLength);
    return { json: { type: 'predict', model: 'text-orientation', request: { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', parameters: { binary_data_size: tensor.byteLength } }] } }, tensor };
  });
  await waitFor(async () => (await fetch(`${base}/v2/models/text-orientation/ready`)).ok, 60_000, 'the models');

  const push = await PushClient.connect(`${base.replace('http', 'ws')}/v1/ws`);
  const irisMessages = irisBodies.map((b) => push.encodePredict('iris', b));
  const http = new HttpClient(base);
  const sdk: InferqClient = createClient({ url: base, maxInFlight: CONCURRENCY * 2 });
  const irisRows = irisRequests.map((r) => [r.inputs[0]!.data]);

  const variants: Array<[string, (i: number) => Promise<unknown>]> = [
    ['iris, WebSocket predict: bench PushClient (JSON)', (i) => push.predict(irisMessages[i % 8]!)],
    ['iris, WebSocket predict: SDK predict({submitOver: "ws"})', (i) => sdk.predict('iris', { features: irisRows[i % 8]! }, { submitOver: 'ws' })],
    ['iris, REST submit + push: bench HttpClient + PushClient.subscribe', async (i) => {
      const res = await http.send('POST', '/v1/models/iris/predictions', irisBodies[i % 8]);
      await push.subscribe((JSON.parse(res.body) as { id: string }).id);
    }],
    ['iris, REST submit + push: SDK predict()', (i) => sdk.predict('iris', { features: irisRows[i % 8]! })],
    ['text-orientation, binary WebSocket frame: bench PushClient (pre-built frame)', (i) => push.predictBinary(textFrames[i % 8]!)],
    ['text-orientation, binary WebSocket frame: SDK predict(Float32Array, {submitOver: "ws"})', (i) => sdk.predict('text-orientation', [{ name: 'x', data: textRows[i % 8]!, shape: [1, 3, 48, 192] }], { submitOver: 'ws' })],
  ];

  const measure = async (send: (i: number) => Promise<unknown>, n: number) => {
    let next = 0;
    const before = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await send(next++);
    }));
    const cpu = process.cpuUsage(before);
    return { cpuUsPerRequest: (cpu.user + cpu.system) / n, wallMs: performance.now() - started };
  };

  console.log(`| client | CPU µs / request (median of 3) | requests/s |`);
  console.log(`| --- | --- | --- |`);
  for (const [name, send] of variants) {
    const n = name.startsWith('text') ? Math.max(200, Math.round(requests / 10)) : requests;
    await measure(send, Math.min(200, n)); // warm-up
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await measure(send, n));
    runs.sort((a, b) => a.cpuUsPerRequest - b.cpuUsPerRequest);
    const median = runs[1]!;
    console.log(`| ${name} | ${median.cpuUsPerRequest.toFixed(0)} | ${(n / (median.wallMs / 1000)).toFixed(0)} |`);
  }
  push.close();
  http.close();
  sdk.close();
} finally {
  await api.stop();
  await worker.stop();
  await redis.kill();
  rmSync(dir, { recursive: true, force: true });
}
