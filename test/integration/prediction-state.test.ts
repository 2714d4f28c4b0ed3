/**
 * Prediction state in a real Redis: transitions only move forward, each prediction is announced
 * once however often its job runs, and a subscriber that was disconnected while a prediction ended
 * still hears of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { newPredictionId, redisKeys, type PredictionFinalEvent } from '@inferq/contract';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';
import { PredictionEvents, PredictionStore } from '@inferq/predictions';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const keys = redisKeys('state-test');
const worker = (id: string) => ({ id, device: 'cpu' });
/** Prediction refs of model iris (the model names the queued-count key a script touches). */
const ref = (id: string) => ({ id, model: 'iris' });
const refs = (...ids: string[]) => ids.map(ref);

const completed = (id: string, by: string, value: number): PredictionFinalEvent => ({
  id, model: 'iris', version: '1', createdAt: 1, status: 'completed', worker: worker(by), timings: { totalMs: value },
  result: { model_name: 'iris', id, outputs: [{ name: 'label', shape: [1], datatype: 'INT64', data: [value] }] },
});

/** Resolves after `condition` holds, polling every 10 ms for at most `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('prediction state (real Redis)', () => {
  let redis: TestRedis;
  let connection: Redis;
  let store: PredictionStore;
  let events: PredictionEvents;
  const announced: PredictionFinalEvent[] = [];

  before(async () => {
    redis = await startTestRedis();
    connection = createRedisConnection(redis.url, 'worker');
    store = new PredictionStore(connection, keys, 3_600);
    const subscriber = createRedisConnection(redis.url, 'subscriber');
    subscriber.on('error', () => {});
    await waitUntilReady(subscriber);
    events = new PredictionEvents(subscriber, keys, (ids) => store.getMany(ids));
    await events.start();
    events.onAny((event) => announced.push(event));
  });
  after(async () => {
    await events?.close();
    await connection?.quit();
    await redis?.dispose();
  });

  const create = async () => {
    const id = newPredictionId();
    await store.create({ id, model: 'iris', version: '1', createdAt: 1 });
    return id;
  };

  it('marks queued and running predictions running, never final or missing ones', async () => {
    const queued = await create();
    const running = await create();
    const done = await create();
    const missing = newPredictionId();
    assert.equal(await store.markRunning(refs(running), worker('a')), 1);
    assert.equal(await store.finish([completed(done, 'a', 1)]), 1);
    assert.equal(await store.markRunning(refs(queued, running, done, missing), worker('b')), 2);
    assert.equal((await store.get(queued))?.status, 'running');
    assert.deepEqual((await store.get(running))?.worker, worker('b'), 'a re-run takes the prediction over');
    assert.equal((await store.get(done))?.status, 'completed', 'a re-run does not move a final record back');
    assert.equal(await store.get(missing), undefined, 'no record is created for an unknown id');
    assert.equal(await connection.ttl(keys.prediction(queued)), 3_660, 'the TTL is kept (retention + a minute of spare)');
  });

  it('creates a group in one script run: records, claim-check payloads and each counter', async () => {
    const model = `create${Date.now()}`;
    const [a, b, c] = [newPredictionId(), newPredictionId(), newPredictionId()];
    await store.createMany([
      { id: a, model, version: '1', createdAt: 1, owner: 'k1', job: a },
      { id: b, model, version: '1', createdAt: 1, payload: Buffer.from([0, 1, 255]), route: 'weight' },
      { id: c, model, version: '2', createdAt: 1, shadowOf: a },
    ]);
    assert.deepEqual(await connection.hgetall(keys.prediction(a)), { status: 'queued', model, version: '1', createdAt: '1', owner: 'k1', job: a });
    assert.equal((await store.get(b))?.route, 'weight');
    assert.deepEqual(await connection.getBuffer(keys.payload(b)), Buffer.from([0, 1, 255]));
    assert.equal(await connection.ttl(keys.payload(b)), 3_600);
    assert.equal((await store.get(c))?.shadowOf, a);
    assert.equal(await store.queuedCount(model), 2);
    assert.equal(await connection.get(keys.shadowQueuedCount(model)), '1');
  });

  it('keeps a record readable for the retention after it ends, with no EXPIRE for one that ends within the spare', async () => {
    const quick = newPredictionId();
    const slow = newPredictionId();
    await store.createMany([{ id: quick, model: 'iris', version: '1', createdAt: Date.now() }, { id: slow, model: 'iris', version: '1', createdAt: 1 }]);
    await connection.expire(keys.prediction(quick), 3_650); // as if created 10 s ago
    await connection.expire(keys.prediction(slow), 5); // accepted long ago (createdAt 1): its creation TTL is nearly spent
    assert.equal(await store.finish([{ ...completed(quick, 'a', 1), createdAt: Date.now() - 10_000 }, completed(slow, 'a', 2)]), 2);
    assert.equal(await connection.ttl(keys.prediction(quick)), 3_650, 'ended within the spare: the creation TTL (≥ retention) stays');
    assert.equal(await connection.ttl(keys.prediction(slow)), 3_600, 'ended later: the retention starts again');
  });

  it('announces a batch in one message, each written record once, and moves the queued count once per batch', async () => {
    const model = `batch${Date.now()}`;
    const ids = [newPredictionId(), newPredictionId(), newPredictionId()];
    await store.createMany(ids.map((id) => ({ id, model, version: '1', createdAt: Date.now() })));
    assert.equal(await store.queuedCount(model), 3);
    await store.finish([{ ...completed(ids[0]!, 'a', 1), model }]);
    const raw = createRedisConnection(redis.url, 'subscriber');
    const messages: string[] = [];
    try {
      raw.on('message', (_channel: string, message: string) => messages.push(message));
      await raw.subscribe(keys.predictionFinalChannel);
      await connection.set(keys.queuedCount(model), '1'); // as if reset meanwhile: never below 0
      const batch = ids.map((id, i) => ({ ...completed(id, 'b', 10 + i), model }));
      assert.equal(await store.finish(batch), 2, 'the one already final is skipped');
      await until(() => messages.length > 0, 5_000, 'the batch message');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(messages.length, 1, 'one PUBLISH per batch');
      // One event text per line, each as stored in its record's `final` field.
      const published = messages[0]!.split('\n').map((text) => JSON.parse(text) as PredictionFinalEvent);
      assert.deepEqual(published.map((e) => e.id), ids.slice(1));
      assert.deepEqual(messages[0]!.split('\n'), await Promise.all(ids.slice(1).map((id) => connection.hget(keys.prediction(id), 'final'))));
      assert.equal(await store.queuedCount(model), 0);
    } finally {
      await raw.quit();
    }
  });

  it('hands listeners each event with its announced text, and still reads the old array format', async () => {
    const [a, b] = [await create(), await create()];
    const heard = new Map<string, string | undefined>();
    for (const id of [a, b]) events.onFinal(id, (event, text) => heard.set(event.id, text));
    await store.finish([{ ...completed(a, 'a', 1), origin: 'api-1' }]);
    await until(() => heard.has(a), 5_000, 'the new format');
    assert.equal(heard.get(a), await connection.hget(keys.prediction(a), 'final'));
    assert.match(heard.get(a)!, /,"origin":"api-1"}$/, 'origin last (see finalEventText)');
    // A worker from before the newline framing publishes a JSON array (a rolling upgrade).
    await connection.publish(keys.predictionFinalChannel, JSON.stringify([completed(b, 'old', 2)]));
    await until(() => heard.has(b), 5_000, 'the old format');
    assert.equal(heard.get(b), undefined, 'no text: the push is serialised from the event');
  });

  it('keeps the first final write and announces it once; later duplicates are dropped', async () => {
    const id = await create();
    const other = await create();
    const before = announced.length;
    assert.equal(await store.finish([completed(id, 'a', 1)]), 1);
    assert.equal(await store.finish([completed(id, 'b', 2), completed(other, 'b', 3)]), 1, 'only the new one is written');
    assert.equal(await store.finish([{ ...completed(id, 'c', 4), status: 'failed', error: { code: 'WORKER_FAILED', message: 'x' } }]), 0);
    const record = await store.get(id);
    assert.equal(record?.status, 'completed');
    assert.deepEqual(record?.worker, worker('a'));
    assert.deepEqual(record?.result?.outputs[0]?.data, [1]);
    await until(() => announced.length >= before + 2, 5_000, 'announcements');
    // A probe announced after the duplicates: once it is in, anything sent before it is in too.
    const probe = await create();
    await store.finish([completed(probe, 'a', 9)]);
    await until(() => announced.some((e) => e.id === probe), 5_000, 'probe');
    assert.deepEqual(announced.filter((e) => e.id === id).map((e) => e.worker?.id), ['a'], 'announced exactly once');
    assert.equal(announced.filter((e) => e.id === other).length, 1);
  });

  it('reopens only failed predictions, clearing the outcome', async () => {
    const id = await create();
    await store.finish([{ ...completed(id, 'a', 1), status: 'failed', result: undefined, error: { code: 'INFERENCE_FAILED', message: 'bad' } } as PredictionFinalEvent]);
    assert.equal(await store.reopen(ref(id)), 'failed');
    const record = await store.get(id);
    assert.equal(record?.status, 'queued');
    assert.equal(record?.error, undefined);
    assert.equal(record?.worker, undefined);
    assert.equal(await store.reopen(ref(id)), 'queued', 'a second retry finds it queued and changes nothing');
    const done = await create();
    await store.finish([completed(done, 'a', 1)]);
    assert.equal(await store.reopen(ref(done)), 'completed');
    assert.equal((await store.get(done))?.status, 'completed');
    assert.equal(await store.reopen(ref(newPredictionId())), undefined);
  });

  it("counts each model's queued predictions exactly, whatever re-runs or duplicates happen", async () => {
    const model = `m${Date.now()}`;
    const count = () => store.queuedCount(model);
    const ids = [newPredictionId(), newPredictionId(), newPredictionId(), newPredictionId()];
    await store.createMany(ids.map((id) => ({ id, model, version: '1', createdAt: 1 })));
    assert.equal(await count(), 4);
    const [a, b, c, d] = ids as [string, string, string, string];
    await store.markRunning(refs(a, b).map((r) => ({ ...r, model })), worker('w'));
    await store.markRunning(refs(a, b).map((r) => ({ ...r, model })), worker('w2')); // a re-run after a stall
    assert.equal(await count(), 2, 'leaving queued counts once');
    await store.finish([{ ...completed(a, 'w', 1), model }, { ...completed(c, 'w', 1), model, status: 'expired', result: undefined, error: { code: 'DEADLINE_EXCEEDED', message: 'late' } } as PredictionFinalEvent]);
    await store.finish([{ ...completed(c, 'w', 1), model }]); // a duplicate final write
    assert.equal(await count(), 1, 'queued → expired counts, running → completed does not');
    await store.remove({ id: d, model });
    assert.equal(await count(), 0);
    await store.finish([{ ...completed(b, 'w', 1), model, status: 'failed', result: undefined, error: { code: 'WORKER_FAILED', message: 'x' } } as PredictionFinalEvent]);
    assert.equal(await store.reopen({ id: b, model }), 'failed');
    assert.equal(await count(), 1, 'a retry queues it again');
    await store.markRunning([{ id: b, model }], worker('w'));
    assert.equal(await count(), 0);
    await store.markRunning([{ id: newPredictionId(), model }], worker('w'));
    assert.equal(await count(), 0, 'never below zero');
  });

  it('delivers a result that ended while the subscriber was disconnected, once', async () => {
    const id = await create();
    const heard: PredictionFinalEvent[] = [];
    events.onFinal(id, (event) => heard.push(event));
    // Cut the subscriber off, and finish the prediction before it is back: the announcement is lost.
    const admin = createRedisConnection(redis.url, 'worker');
    try {
      const killed = await admin.client('KILL', 'TYPE', 'pubsub');
      assert.ok(Number(killed) >= 1);
      assert.equal(await store.finish([completed(id, 'a', 7)]), 1);
    } finally {
      await admin.quit();
    }
    await until(() => heard.length > 0, 10_000, 'the catch-up after the reconnect');
    assert.equal(heard.length, 1);
    assert.equal(heard[0]!.status, 'completed');
    assert.deepEqual(heard[0]!.result?.outputs[0]?.data, [7]);
    assert.equal(events.waitingIds, 0, 'the listener is gone');
  });
});
