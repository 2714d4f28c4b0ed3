/**
 * `@inferq/client` against a real stack (API listening on a loopback port, real Redis, BullMQ,
 * onnxruntime workers): predict over REST and WebSocket, JSON and binary tensors, submit / get /
 * watch, typed errors with registry codes, maxInFlight, API keys, long-poll only, dead letters,
 * the log export, and a dropped socket mid-wait (re-subscribe in chunks, each result once).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createLogger } from '@inferq/logger';
import { createClient, InferqClientError, SUBSCRIBE_CHUNK, type InferqClient, type SocketLike } from '@inferq/client';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const ADMIN_KEY = 'admin-key-for-the-client-sdk-test-0123456789';
const random = seededRandom(21);

describe('@inferq/client against a real stack', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let base: string;
  let client: InferqClient;
  let iris: DirectModel;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 1, env: { ADMIN_API_KEY: ADMIN_KEY } });
    base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    client = createClient({ url: base, apiKey: ADMIN_KEY, timeoutMs: 30_000 });
    iris = await DirectModel.load('iris');
  });

  after(async () => {
    client?.close();
    await stack?.close();
    await redis?.dispose();
  });

  it('predicts from nested arrays over REST with the result pushed, equal to direct onnxruntime', async () => {
    const rows = irisRows(random, 3);
    const nested = [rows.slice(0, 4), rows.slice(4, 8), rows.slice(8, 12)];
    const result = await client.predict('iris', { features: nested });
    const expected = await iris.run('features', rows, [3, 4]);
    assert.deepEqual(result.outputs.label!.data, expected.label);
    assert.equal(result.outputs.probabilities!.shape.join(), '3,3');
    assert.equal(result.response.model_name, 'iris');
    assert.ok(client.stats.connects >= 1, 'the result came over the WebSocket');
  });

  it('predicts over the WebSocket (text and binary frames) and over REST with the binary extension', async () => {
    const image = Float32Array.from(textLineImages(random, 1));
    const direct = await (await DirectModel.load('text-orientation')).run('x', Array.from(image), [1, 3, 48, 192]);
    const overRest = await client.predict('text-orientation', [{ name: 'x', data: image, shape: [1, 3, 48, 192] }]);
    const overWs = await client.predict('text-orientation', [{ name: 'x', data: image, shape: [1, 3, 48, 192] }], { submitOver: 'ws' });
    const asJson = await client.predict('text-orientation', [{ name: 'x', data: image, shape: [1, 3, 48, 192] }], { binary: false });
    for (const result of [overRest, overWs, asJson]) {
      const got = result.outputs['softmax_0.tmp_0']!.data as number[];
      got.forEach((v, i) => assert.ok(Math.abs(v - direct['softmax_0.tmp_0']![i]!) < 1e-5, `output ${i}: ${v}`));
    }
    const small = await client.predict('iris', { features: [irisRows(random, 1)] }, { submitOver: 'ws', requestId: 'mine-1' });
    assert.equal(small.response.id, 'mine-1');
  });

  it('submits, reads and watches: each id yielded once, in the order they end', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, async () => (await client.submit('iris', { features: [irisRows(random, 1)] })).id));
    const seen: string[] = [];
    for await (const item of client.watch([...ids, ids[0]!])) {
      assert.equal(item.prediction?.status, 'completed', JSON.stringify(item));
      seen.push(item.id);
    }
    assert.deepEqual([...seen].sort(), [...ids].sort());
    const record = await client.get(ids[0]!, { waitMs: 1_000 });
    assert.equal(record.status, 'completed');
    const final = await client.wait(ids[1]!);
    assert.equal(final.status, 'completed');
  });

  it('rejects with typed errors carrying the registry codes and HTTP statuses', async () => {
    const cases: Array<[() => Promise<unknown>, string, number]> = [
      [() => client.predict('nope', { features: [[1, 2, 3, 4]] }), 'MODEL_NOT_FOUND', 404],
      [() => client.predict('iris', { features: [[1, 2, 3]] }), 'SHAPE_MISMATCH', 400],
      [() => client.predict('iris', { features: [[1, 2, 3]] }, { submitOver: 'ws' }), 'SHAPE_MISMATCH', 0],
      [() => client.get('not-an-id'), 'INVALID_PREDICTION_ID', 400],
      [() => client.get('AAAAAAAAAAAAAAAAAAAAAA'), 'PREDICTION_NOT_FOUND', 404],
      [() => client.wait('AAAAAAAAAAAAAAAAAAAAAA'), 'PREDICTION_NOT_FOUND', 0],
      [() => client.predict('iris', { features: [[1, 2], [3]] }), 'INVALID_ARGUMENT', 0],
      [() => client.predict('iris', { features: [irisRows(random, 1)] }, { signal: AbortSignal.abort() }), 'ABORTED', 0],
      [() => client.predict('iris', { features: [irisRows(random, 1)] }, { timeoutMs: 1 }), 'CLIENT_TIMEOUT', 0],
      [() => createClient({ url: base }).models.list(), 'UNAUTHORIZED', 401],
      [() => createClient({ url: 'http://127.0.0.1:9', timeoutMs: 5_000, submitRetries: 0 }).submit('iris', { features: [[1, 2, 3, 4]] }), 'CONNECTION_FAILED', 0],
    ];
    for (const [call, code, status] of cases) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof InferqClientError, String(error));
        assert.equal(error.code, code, error.message);
        assert.equal(error.status, status, `${code}: ${error.message}`);
        return true;
      });
    }
    assert.throws(() => createClient({ url: 'ftp://x' }), /option url must be http/);
    assert.throws(() => createClient({ url: base, maxInFlight: 0 }), /maxInFlight/);
  });

  it('holds at most maxInFlight calls at once; the rest wait their turn and all complete', async () => {
    const limited = createClient({ url: base, apiKey: ADMIN_KEY, maxInFlight: 2 });
    try {
      const calls = Array.from({ length: 10 }, () => limited.predict('iris', { features: [irisRows(random, 1)] }));
      assert.equal(limited.stats.inFlight, 2);
      assert.equal(limited.stats.queued, 8);
      const results = await Promise.all(calls);
      assert.equal(results.length, 10);
      assert.equal(limited.stats.inFlight, 0);
    } finally {
      limited.close();
    }
  });

  it('uses API keys: creates a predict+read key, predicts with it (socket authenticated by header), revokes it', async () => {
    const created = await client.keys.create('sdk-test', ['predict', 'read']);
    const keyed = createClient({ url: base, apiKey: created.key });
    try {
      const result = await keyed.predict('iris', { features: [irisRows(random, 1)] });
      assert.equal(result.response.model_name, 'iris');
      await assert.rejects(keyed.keys.list(), (e: InferqClientError) => e.code === 'FORBIDDEN' && e.status === 403);
      assert.ok((await client.keys.list()).some((k) => k.id === created.id));
      const revoked = await client.keys.revoke(created.id);
      assert.ok(revoked.revokedAt);
    } finally {
      keyed.close();
    }
  });

  it('long-polls only when told to (results: poll)', async () => {
    const polling = createClient({ url: base, apiKey: ADMIN_KEY, results: 'poll' });
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => polling.predict('iris', { features: [irisRows(random, 1)] })));
      assert.equal(results.length, 4);
      assert.equal(polling.stats.connects, 0);
      assert.ok(polling.stats.longPolls >= 4);
    } finally {
      polling.close();
    }
  });

  it('falls back to long-polling when no socket can be opened', async () => {
    // Sockets go to a closed port; REST works.
    const broken = createClient({
      url: base, apiKey: ADMIN_KEY, reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 },
      webSocket: (_url, headers) => new WebSocket('ws://127.0.0.1:9/v1/ws', { headers }) as unknown as SocketLike,
    });
    try {
      const results = await Promise.all(Array.from({ length: 3 }, () => broken.predict('iris', { features: [irisRows(random, 1)] })));
      assert.equal(results.length, 3);
      assert.equal(broken.stats.connects, 0);
      assert.ok(broken.stats.longPolls >= 3);
      // Asked to submit over the socket it could not open: REST instead.
      const overWs = await broken.predict('iris', { features: [irisRows(random, 1)] }, { submitOver: 'ws' });
      assert.equal(overWs.response.model_name, 'iris');
    } finally {
      broken.close();
    }
  });

  it('reads models and batching settings, and streams the prediction log', async () => {
    const models = await client.models.list();
    assert.ok(models.some((m) => m.name === 'iris'));
    const metadata = await client.models.metadata('iris');
    assert.equal(metadata.inputs[0]!.name, 'features');
    const changed = await client.models.setBatching('iris', '1', { maxQueueDelayMs: 2 });
    assert.equal(changed.maxQueueDelayMs, 2);
    assert.equal((await client.models.getBatching('iris', '1')).maxQueueDelayMs, 2);
    assert.notEqual((await client.models.resetBatching('iris', '1')).maxQueueDelayMs, 2);
    const entries = [];
    for await (const entry of client.exportLog({ model: 'iris', limit: 5 })) entries.push(entry);
    assert.equal(entries.length, 5);
    assert.ok(entries.every((e) => e.model === 'iris' && typeof e.logId === 'string'));
  });

  describe('a dropped socket while predictions wait (no worker until after the drop)', () => {
    let dir: string;
    let lateWorker: WorkerApp | undefined;
    after(async () => {
      await lateWorker?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('reconnects, re-subscribes in chunks, and delivers every result once', async () => {
      dir = mkdtempSync(join(tmpdir(), 'inferq-client-'));
      // A second stack on the same Redis with no worker: predictions stay queued while the socket drops.
      const idle = await startInProcessStack(redis.url, { workers: 0 });
      const idleBase = await idle.app.listen({ port: 0, host: '127.0.0.1' });
      const sdk = createClient({ url: idleBase, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
      try {
        const n = 2 * SUBSCRIBE_CHUNK + 50;
        const ids = await Promise.all(Array.from({ length: n }, async () => (await sdk.submit('iris', { features: [irisRows(random, 1)] })).id));
        const settled = new Map<string, number>();
        const waits = ids.map((id) => sdk.wait(id).then((p) => { settled.set(id, (settled.get(id) ?? 0) + 1); return p; }));
        await waitFor(() => sdk.stats.subscribeMessages >= 3, 'the first subscribes');
        // Drop every server-side socket: the client must reconnect and subscribe again.
        for (const socket of idle.app.websocketServer.clients) socket.terminate();
        await waitFor(() => sdk.stats.reconnects >= 1 && sdk.stats.resubscribedIds >= n, 'the re-subscribe');
        lateWorker = await startWorkerApp(loadWorkerConfig({
          REDIS_URL: redis.url, KEY_PREFIX: idle.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, WORKER_ID: 'late', DEVICE: 'cpu', ORT_INTRA_OP_THREADS: '1',
        }), createLogger('test', 'silent'));
        const finals = await Promise.all(waits);
        assert.ok(finals.every((f) => f.status === 'completed'));
        assert.equal(settled.size, n);
        assert.ok([...settled.values()].every((count) => count === 1));
        assert.equal(sdk.stats.delivered, n);
        assert.ok(sdk.stats.subscribeMessages >= 6, `ids were sent in chunks of ≤ ${SUBSCRIBE_CHUNK}: ${sdk.stats.subscribeMessages} messages`);
      } finally {
        sdk.close();
        await idle.close();
      }
    });
  });
});

/** Waits (bounded) for a condition driven by events elsewhere. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
