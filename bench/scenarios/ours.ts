/**
 * Scenario "ours": the real service (API + worker processes + Redis), requests over REST with
 * results pushed over a WebSocket subscription, or submitted and pushed over the WebSocket.
 */
import { Redis } from 'ioredis';
import { freePort } from '@inferq/redis';
import { HttpClient } from '../lib/http-client.js';
import { closedLoop, openLoop } from '../lib/load.js';
import { rssMiB, startChild, waitFor, type Child } from '../lib/processes.js';
import type { LoadResult } from '../lib/stats.js';
import { measureCost, type CostedProcesses, type CostReport } from '../lib/cost-model.js';
import { PushClient } from '../lib/ws-client.js';
import { MODELS_DIR, type Workload } from '../lib/workloads.js';

export type Transport = 'rest+push' | 'ws' | 'binary rest+push' | 'binary ws';

/** A running stack under test. */
export interface Stack {
  base: string;
  api: Child;
  workers: Child[];
  /** The monitor process, when started (`npm start` starts one by default). */
  monitor: Child | undefined;
  /** Key prefix and worker ids of this stack (for the cost model). */
  keyPrefix: string;
  workerIds: string[];
  /** Predictions completed so far through `sender` (the cost model divides by it). */
  completed: number;
  http: HttpClient;
  push: PushClient;
  redis: Redis;
  stop(): Promise<void>;
}

export async function startStack(redisUrl: string, workers: number, threads: number, env: Record<string, string> = {}, options: { monitor?: boolean } = {}): Promise<Stack> {
  const port = await freePort();
  const prefix = `bench${Date.now()}`;
  const common = { REDIS_URL: redisUrl, KEY_PREFIX: prefix, MODEL_REPOSITORY: MODELS_DIR, ...env };
  const workerIds = Array.from({ length: workers }, (_, i) => `bench-w${i}`);
  const workerChildren = workerIds.map((id) =>
    startChild('apps/worker/src/main.ts', { ...common, WORKER_ID: id, DEVICE: 'cpu', ORT_INTRA_OP_THREADS: String(threads) }));
  const monitor = options.monitor ? startChild('apps/monitor/src/main.ts', { ...common, MONITOR_ID: 'bench-monitor' }) : undefined;
  const api = startChild('apps/api/src/main.ts', { ...common, PORT: String(port), HOST: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const redis = new Redis(redisUrl);
  await waitFor(async () => (await fetch(`${base}/v2/health/ready`)).ok, 60_000, 'the API');
  await waitFor(async () => (await redis.keys(`${prefix}:worker:*`)).length === workers, 60_000, 'the workers');
  const http = new HttpClient(base);
  const push = await PushClient.connect(`${base.replace('http', 'ws')}/v1/ws`);
  if (monitor) await waitFor(async () => (await redis.exists(`${prefix}:monitor:heartbeat:bench-monitor`)) === 1, 60_000, 'the monitor');
  return {
    base, api, workers: workerChildren, monitor, keyPrefix: prefix, workerIds, completed: 0, http, push, redis,
    async stop() {
      push.close();
      http.close();
      await api.stop();
      await Promise.all(workerChildren.map((w) => w.stop()));
      await monitor?.stop();
      redis.disconnect();
    },
  };
}

/** One request of `w` over `transport`; resolves when the result has been pushed. */
export function sender(stack: Stack, w: Workload, transport: Transport): () => Promise<void> {
  const send = rawSender(stack, w, transport);
  return async () => {
    await send();
    stack.completed++;
  };
}

function rawSender(stack: Stack, w: Workload, transport: Transport): () => Promise<void> {
  let i = 0;
  if (transport === 'ws') {
    const messages = w.bodies.map((body) => stack.push.encodePredict(w.model, body));
    return () => stack.push.predict(messages[i++ % messages.length]!);
  }
  if (transport === 'binary ws') {
    const frames = w.rows.map((row) => binaryFrame(w, row));
    return () => stack.push.predictBinary(frames[i++ % frames.length]!);
  }
  if (transport === 'binary rest+push') {
    const bodies = w.rows.map((row) => binaryBody(w, row));
    return async () => {
      const { body, headerLength } = bodies[i++ % bodies.length]!;
      const res = await stack.http.send('POST', `/v1/models/${w.model}/predictions`, body, {
        'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength),
      });
      if (res.status !== 202) throw httpError(res);
      await stack.push.subscribe((JSON.parse(res.body) as { id: string }).id);
    };
  }
  return async () => {
    const res = await stack.http.send('POST', `/v1/models/${w.model}/predictions`, w.bodies[i++ % w.bodies.length]);
    if (res.status !== 202) throw httpError(res);
    await stack.push.subscribe((JSON.parse(res.body) as { id: string }).id);
  };
}

/** A refused submit: "HTTP 503 CODE" on its first line (its error kind, see error-kinds.ts), the body after. */
function httpError(res: { status: number; body: string }): Error {
  let code = '';
  try {
    code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? '';
  } catch {
    // not JSON: the status alone names it
  }
  return new Error(`${`HTTP ${res.status} ${code}`.trimEnd()}\n${res.body.slice(0, 200)}`);
}

export async function measureClosed(stack: Stack, w: Workload, transport: Transport, clients: number, durationMs: number): Promise<LoadResult & { workerRssMiB: number }> {
  const result = await closedLoop(sender(stack, w, transport), clients, durationMs);
  return { ...result, workerRssMiB: Math.max(...stack.workers.map((c) => rssMiB(c.process.pid))) };
}

export async function measureOpen(stack: Stack, w: Workload, ratePerS: number, durationMs: number): Promise<LoadResult> {
  return openLoop(sender(stack, w, 'rest+push'), ratePerS, durationMs);
}

/** Redis commands per prediction: INFO commandstats delta over `count` requests with 16 in flight. */
export async function redisCommandsPerPrediction(stack: Stack, w: Workload, count: number): Promise<{ perPrediction: number; byCommand: Record<string, number> }> {
  const read = async () => {
    const info = await stack.redis.info('commandstats');
    const calls: Record<string, number> = {};
    for (const m of info.matchAll(/cmdstat_([a-z|_-]+):calls=(\d+)/g)) calls[m[1]!] = Number(m[2]);
    return calls;
  };
  const send = sender(stack, w, 'rest+push');
  const before = await read();
  let sent = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (sent < count) {
      sent++;
      await send();
    }
  }));
  const after = await read();
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    if (delta > 0 && name !== 'info') {
      byCommand[name] = Math.round((delta / count) * 100) / 100;
      total += delta;
    }
  }
  return { perPrediction: Math.round((total / count) * 100) / 100, byCommand };
}

/** The JSON header of a one-row binary request. */
function binaryHeader(w: Workload, row: Float32Array) {
  return { inputs: [{ name: w.inputName, shape: [1, ...w.rowShape], datatype: 'FP32', parameters: { binary_data_size: row.byteLength } }] };
}

/** A one-row request in the binary data extension (JSON header + raw little-endian floats). */
export function binaryBody(w: Workload, row: Float32Array): { body: Buffer; headerLength: number } {
  const header = Buffer.from(JSON.stringify(binaryHeader(w, row)));
  return { body: Buffer.concat([header, Buffer.from(row.buffer, row.byteOffset, row.byteLength)]), headerLength: header.byteLength };
}

/** A binary WebSocket predict frame: [u32 LE JSON length][JSON message][raw floats]. */
function binaryFrame(w: Workload, row: Float32Array): { json: Record<string, unknown>; tensor: Buffer } {
  return { json: { type: 'predict', model: w.model, request: binaryHeader(w, row) }, tensor: Buffer.from(row.buffer, row.byteOffset, row.byteLength) };
}

/** The processes of a stack, for the cost model. */
export function costedProcesses(stack: Stack, redisPid: number | undefined): CostedProcesses {
  return {
    redis: stack.redis, keyPrefix: stack.keyPrefix, apiPid: stack.api.process.pid,
    workers: stack.workerIds.map((id, i) => ({ id, pid: stack.workers[i]!.process.pid })),
    monitorPid: stack.monitor?.process.pid, redisPid,
  };
}

/** Runs `load` on the stack and reports its cost per prediction alongside its result. */
export async function withCost<T>(stack: Stack, redisPid: number | undefined, load: () => Promise<T>): Promise<T & { cost: CostReport }> {
  let result: T | undefined;
  const cost = await measureCost(costedProcesses(stack, redisPid), async () => {
    const from = stack.completed;
    result = await load();
    return stack.completed - from;
  });
  return { ...(result as T), cost };
}
