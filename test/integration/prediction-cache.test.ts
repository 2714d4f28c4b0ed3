/**
 * The prediction cache (docs/cache.md) against a real Redis, BullMQ, onnxruntime and worker:
 * a repeated input is answered at submit without a queue job, equal byte for byte to the
 * computed result; the JSON and binary forms of one tensor share an entry; another version
 * misses; entries expire; each version keeps at most `maxEntries`; a hit is owned by its
 * requester, logged as cached, pushed over WebSocket and answered by v2 infer.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { predictionQueueName, redisKeys, type WsServerMessage } from '@inferq/contract';
import { PredictionLog } from '@inferq/predictions';
import { predictionCacheKey } from '@inferq/tensor';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { irisRows, seededRandom } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 20_000;
const sha = (key: string) => createHash('sha256').update(key).digest('hex');
const ALICE = 'alice-key-0123456789abcdef0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef0123456789abcdef00';
const MAX_ENTRIES = 5;

/** Copies the bundled iris model to `root/<name>/<version>` with a `cache` setting. */
function writeCachedIris(root: string, name: string, version: string, cache: { ttlSeconds: number; maxEntries: number }, maxQueueDelayMs = 0): void {
  const dir = join(root, name, version);
  mkdirSync(dir, { recursive: true });
  cpSync(join(MODELS_DIR, 'iris', '1', 'model.onnx'), join(dir, 'model.onnx'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ maxBatchSize: 64, maxQueueDelayMs, labels: ['setosa', 'versicolor', 'virginica'], cache }));
}

const irisBody = (data: number[]) => ({ inputs: [{ name: 'features', shape: [data.length / 4, 4], datatype: 'FP32', data }] });

/** The same request in the binary data extension: a JSON header, then the raw float32 bytes. */
function binaryBody(data: number[]) {
  const bytes = Buffer.from(Float32Array.from(data).buffer);
  const json = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [data.length / 4, 4], datatype: 'FP32', parameters: { binary_data_size: bytes.byteLength } }] }));
  return { payload: Buffer.concat([json, bytes]), headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.byteLength) } };
}

/** Polls `check` (at most `ms`) until it holds. */
async function eventually(check: () => Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('prediction cache (real Redis, BullMQ, onnxruntime, worker)', () => {
  let redis: TestRedis;
  let root: string;
  let stack: InProcessStack;
  let probe: Redis;
  let queue: Queue;
  let queueConnection: Redis;
  const random = seededRandom(14);
  const first = irisRows(random, 2);
  /** The first computed result: its id, its outputs as HTTP answers them, and as the worker stored them. */
  let computed: { id: string; outputs: string; stored: string };
  const storedOutputs = async (id: string) => {
    // A computed record holds its final event (`final`), a cache hit's its `result` field.
    const [final, result] = await probe.hmget(redisKeys(stack.keyPrefix).prediction(id), 'final', 'result');
    const stored = final ? JSON.parse(final).result : result ? JSON.parse(result) : undefined;
    assert.ok(stored, `no stored result for ${id}`);
    // Parsing keeps the key order and every double's shortest form, so this is the stored text of the outputs.
    return JSON.stringify(stored.outputs);
  };

  const call = (method: 'GET' | 'POST', url: string, options: { key?: string; payload?: unknown; headers?: Record<string, string> } = {}) => stack.app.inject({
    method, url,
    headers: { authorization: `Bearer ${options.key ?? ALICE}`, ...options.headers },
    ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
  });
  const submit = async (data: number[], path = '/v1/models/iris/versions/1/predictions') => {
    const response = await call('POST', path, { payload: irisBody(data) });
    assert.equal(response.statusCode, 202, response.body);
    return response.json() as { id: string; status: string; cached?: boolean };
  };
  const final = async (id: string, key = ALICE) => {
    const response = await call('GET', `/v1/predictions/${id}?wait=${WAIT_MS}`, { key });
    assert.equal(response.statusCode, 200, response.body);
    const record = response.json();
    assert.equal(record.status, 'completed', response.body);
    return record;
  };
  /** Everything BullMQ did on the iris queue: job counts per state and its event stream's length. */
  const queueActivity = async () => ({
    counts: await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'),
    events: await probe.xlen(`${stack.keyPrefix}:${predictionQueueName('iris')}:events`),
  });

  before(async () => {
    redis = await startTestRedis();
    root = mkdtempSync(join(tmpdir(), 'inferq-cache-'));
    writeCachedIris(root, 'iris', '1', { ttlSeconds: 3600, maxEntries: MAX_ENTRIES });
    writeCachedIris(root, 'iris', '2', { ttlSeconds: 3600, maxEntries: MAX_ENTRIES });
    writeCachedIris(root, 'brief', '1', { ttlSeconds: 1, maxEntries: 100 });
    // Waits up to 2 s for a batch to fill, so requests sent together share one batch.
    writeCachedIris(root, 'burst', '1', { ttlSeconds: 3600, maxEntries: 100 }, 2_000);
    stack = await startInProcessStack(redis.url, {
      env: { MODEL_REPOSITORY: root, API_KEYS: [`alice:predict+read:${sha(ALICE)}`, `bob:predict+read:${sha(BOB)}`].join(',') },
    });
    probe = new Redis(redis.url);
    queueConnection = probe.duplicate();
    queue = new Queue(predictionQueueName('iris'), { connection: queueConnection, prefix: stack.keyPrefix });
  });
  after(async () => {
    await queue?.close();
    queueConnection?.disconnect();
    probe?.disconnect();
    await stack?.close();
    await redis?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('computes a first request (a miss) and answers the same input again from the cache, with no queue job', async () => {
    const missed = await submit(first);
    assert.equal(missed.status, 'queued');
    const record = await final(missed.id);
    assert.equal(record.cached, undefined, 'computed, not cached');
    computed = { id: missed.id, outputs: JSON.stringify(record.result.outputs), stored: await storedOutputs(missed.id) };

    const before = await queueActivity();
    const hit = await submit(first);
    assert.equal(hit.status, 'completed');
    assert.equal(hit.cached, true);
    assert.deepEqual(await queueActivity(), before, 'no job was added, run or finished');
    assert.equal(await queue.getJob(hit.id), undefined);

    const cached = (await call('GET', `/v1/predictions/${hit.id}`)).json();
    assert.equal(cached.status, 'completed');
    assert.equal(cached.cached, true);
    assert.equal(cached.result.id, hit.id, 'the per-request id is the new request\'s');
    assert.equal(JSON.stringify(cached.result.outputs), computed.outputs, 'outputs byte for byte as computed');
    // And as stored: the cached record holds the computed outputs' exact JSON text.
    assert.equal(await storedOutputs(hit.id), computed.stored);
    const raw = await probe.hget(redisKeys(stack.keyPrefix).prediction(hit.id), 'result');
    assert.ok(raw?.includes(`"outputs":${computed.stored}`), raw ?? 'no result');

    const metrics = (await call('GET', '/metrics')).body;
    assert.match(metrics, /^inferq_cache_requests_total\{model="iris",version="1",result="hit"\} 1$/m);
    assert.match(metrics, /^inferq_cache_requests_total\{model="iris",version="1",result="miss"\} 1$/m);
    // The dashboard's figures: all API processes together, from Redis.
    const status = (await call('GET', '/v1/monitoring/status')).json();
    const versions = status.models.find((m: { name: string }) => m.name === 'iris').versions;
    assert.deepEqual(versions.find((v: { version: string }) => v.version === '1').cache, { ttlSeconds: 3600, maxEntries: MAX_ENTRIES, entries: 1, hits: 1, misses: 1 });
  });

  it('finds the entry from the binary form of the same tensor', async () => {
    const before = await queueActivity();
    const { payload, headers } = binaryBody(first);
    const response = await call('POST', '/v1/models/iris/versions/1/predictions', { payload, headers });
    assert.equal(response.statusCode, 202, response.body);
    assert.equal(response.json().cached, true, response.body);
    assert.deepEqual(await queueActivity(), before);
    assert.equal(JSON.stringify((await final(response.json().id)).result.outputs), computed.outputs);
  });

  it('misses on another version (then caches it there)', async () => {
    const other = await submit(first, '/v1/models/iris/versions/2/predictions');
    assert.equal(other.status, 'queued');
    const record = await final(other.id);
    assert.equal(record.version, '2');
    assert.equal(record.cached, undefined);
    assert.equal((await submit(first, '/v1/models/iris/versions/2/predictions')).cached, true);
  });

  it('keeps a cached prediction its requester\'s own: another key cannot read it', async () => {
    const hit = await submit(first);
    assert.equal(hit.cached, true);
    const foreign = await call('GET', `/v1/predictions/${hit.id}`, { key: BOB });
    assert.equal(foreign.statusCode, 404, foreign.body);
    assert.equal(foreign.json().error.code, 'PREDICTION_NOT_FOUND');
    assert.equal((await call('GET', `/v1/predictions/${hit.id}`)).statusCode, 200);
  });

  it('logs a cached prediction, marked cached, with its inputs and outputs', async () => {
    const hit = await submit(first);
    const log = new PredictionLog(probe, redisKeys(stack.keyPrefix));
    let entry;
    for await (const e of log.read({ model: 'iris' })) if (e.id === hit.id) entry = e;
    assert.ok(entry, 'logged');
    assert.equal(entry.cached, true);
    assert.equal(entry.status, 'completed');
    assert.equal(entry.rows, 2);
    assert.equal(entry.worker, '');
    assert.ok(entry.inputs.features, 'input summary');
    let computedEntry;
    for await (const e of log.read({ model: 'iris' })) if (e.id === computed.id) computedEntry = e;
    assert.ok(computedEntry, 'the computed prediction was logged by the worker');
    assert.deepEqual(entry.outputs, computedEntry.outputs, 'the same output summary as the computed one');
  });

  it('pushes accepted, then the cached result, over WebSocket', async () => {
    const socket = (await stack.app.injectWS('/v1/ws', { headers: { authorization: `Bearer ${ALICE}` } })) as unknown as WebSocket;
    try {
      const messages: WsServerMessage[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no result: ${JSON.stringify(messages)}`)), WAIT_MS);
        socket.on('message', (raw: Buffer) => {
          messages.push(JSON.parse(raw.toString()) as WsServerMessage);
          if (messages.some((m) => m.type === 'result' || m.type === 'error')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const before = await queueActivity();
      socket.send(JSON.stringify({ type: 'predict', model: 'iris', version: '1', request: irisBody(first), ref: 'r1' }));
      await done;
      assert.deepEqual(messages.map((m) => m.type), ['accepted', 'result']);
      const [accepted, result] = messages;
      assert.ok(accepted?.type === 'accepted' && result?.type === 'result' && result.status === 'completed', JSON.stringify(messages));
      assert.equal(result.id, accepted.id);
      assert.equal(result.cached, true);
      // WebSocket results are the stored JSON, not re-serialised by an HTTP schema.
      assert.equal(JSON.stringify(result.result.outputs), computed.stored);
      assert.deepEqual(await queueActivity(), before);
    } finally {
      // injectWS streams never end on their own: end both sides so the stack can close.
      socket.terminate();
      for (const client of stack.app.websocketServer.clients) client.terminate();
    }
  });

  it('answers v2 infer 200 from the cache', async () => {
    const before = await queueActivity();
    const response = await call('POST', '/v2/models/iris/versions/1/infer', { payload: { id: 'mine', ...irisBody(first) } });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.id, 'mine');
    assert.equal(JSON.stringify(body.outputs), computed.outputs);
    assert.deepEqual(await queueActivity(), before);
  });

  it('expires entries after the version\'s ttlSeconds', async () => {
    const data = irisRows(random, 1);
    const path = '/v1/models/brief/predictions';
    await final((await submit(data, path)).id);
    assert.equal((await submit(data, path)).cached, true);
    const entry = redisKeys(stack.keyPrefix).cacheEntry('brief', '1', predictionCacheKey({
      model: 'brief', version: '1', inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: Float32Array.from(data) }],
    }));
    assert.equal(await probe.exists(entry), 1, 'the test computes the key the API used');
    await eventually(async () => (await probe.exists(entry)) === 0, 'entry expired', 10_000);
    const again = await submit(data, path);
    assert.equal(again.status, 'queued', 'expired: computed again');
    await final(again.id);
  });

  it(`keeps at most maxEntries (${MAX_ENTRIES}) entries per version, evicting the oldest`, async () => {
    const inputs = Array.from({ length: MAX_ENTRIES + 3 }, () => irisRows(random, 1));
    for (const data of inputs) {
      const accepted = await submit(data);
      assert.equal(accepted.status, 'queued');
      await final(accepted.id);
    }
    const keys = redisKeys(stack.keyPrefix);
    const entries: string[] = [];
    let cursor = '0';
    for (let round = 0; round < 1_000; round++) {
      const [next, found] = await probe.scan(cursor, 'MATCH', `${stack.keyPrefix}:cache:iris:1:*`, 'COUNT', 1_000);
      entries.push(...found);
      cursor = next;
      if (cursor === '0') break;
    }
    assert.equal(entries.length, MAX_ENTRIES, `entry keys: ${entries.length}`);
    assert.equal(await probe.zcard(keys.cacheIndex('iris', '1')), MAX_ENTRIES);
    assert.equal((await submit(inputs.at(-1)!)).cached, true, 'the newest is kept');
    assert.equal((await submit(first)).status, 'queued', 'the oldest was evicted');
  });

  it('runs identical misses that share a batch once (single flight), each keeping its own prediction', async () => {
    const same = irisRows(random, 1);
    const other = irisRows(random, 1);
    const bodies = [same, same, other, same, same];
    const accepted = await Promise.all(bodies.map((data) => submit(data, '/v1/models/burst/predictions')));
    assert.ok(accepted.every((a) => a.status === 'queued'), 'all misses: none had completed');
    const records = await Promise.all(accepted.map((a) => final(a.id)));
    assert.equal(new Set(records.map((r) => r.id)).size, 5);
    // One batch of five predictions ran two inputs: each record names the run's rows and requests.
    for (const record of records) assert.deepEqual([record.timings.batchSize, record.timings.batchRequests], [2, 2], JSON.stringify(record.timings));
    const outputs = records.map((r) => JSON.stringify(r.result.outputs));
    assert.equal(new Set([outputs[0], outputs[1], outputs[3], outputs[4]]).size, 1, 'identical inputs, identical outputs');
    assert.notEqual(outputs[2], outputs[0]);
    assert.equal((await submit(same, '/v1/models/burst/predictions')).cached, true);
  });
});
