/**
 * The traffic policy store against a real Redis: revisions, compare-and-set (If-Match), history,
 * rollback, restore, clear, and the change announcement.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { InferqError, redisKeys, type TrafficChange, type TrafficPolicySpec } from '@inferq/contract';
import { TrafficPolicyStore } from '@inferq/predictions';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const split = (a: number): TrafficPolicySpec => ({
  routes: [{ version: '1', weight: a }, { version: '2', weight: 100 - a }], sticky: false, rules: [], shadow: null,
});

const code = (error: unknown) => (error instanceof InferqError ? error.code : String(error));

describe('TrafficPolicyStore (real Redis)', () => {
  let server: TestRedis;
  let redis: Redis;
  let subscriber: Redis;
  let store: TrafficPolicyStore;
  const keys = redisKeys(`t${process.pid}`);

  before(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
    subscriber = new Redis(server.url);
    store = new TrafficPolicyStore(redis, keys, 5);
  });
  after(async () => {
    redis?.disconnect();
    subscriber?.disconnect();
    await server?.dispose();
  });

  it('has no policy at first, then numbers revisions from 1', async () => {
    assert.equal(await store.get('iris'), undefined);
    const first = await store.put('iris', split(90), { ifMatch: 0, reason: 'canary', actor: 'tester' });
    assert.equal(first.revision, 1);
    assert.equal(first.reason, 'canary');
    assert.deepEqual(await store.get('iris'), first);
    const second = await store.put('iris', split(50));
    assert.equal(second.revision, 2);
    assert.deepEqual((await store.getMany(['iris', 'other'])).map((p) => p?.revision), [2, undefined]);
  });

  it('refuses a stale If-Match with PRECONDITION_FAILED and changes nothing', async () => {
    const before = await store.get('iris');
    await assert.rejects(store.put('iris', split(10), { ifMatch: 1 }), (e) => code(e) === 'PRECONDITION_FAILED');
    assert.deepEqual(await store.get('iris'), before);
  });

  it('lets exactly one of many racing writers on one revision win', async () => {
    const current = (await store.get('iris'))!.revision;
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.put('iris', split(i * 10), { ifMatch: current })));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal(code(r.reason), 'PRECONDITION_FAILED');
    assert.equal((await store.get('iris'))!.revision, current + 1);
  });

  it('keeps a bounded history, newest first', async () => {
    for (let i = 0; i < 4; i++) await store.put('iris', split(i * 10 + 5));
    const history = await store.history('iris');
    assert.equal(history.length, 5);
    const revisions = history.map((p) => p.revision);
    assert.deepEqual(revisions, [...revisions].sort((a, b) => b - a));
    assert.deepEqual(history[0], await store.get('iris'));
    assert.equal((await store.history('iris', 2)).length, 2);
  });

  it('rolls back to the previous revision as a new revision, announcing it', async () => {
    const messages: TrafficChange[] = [];
    await subscriber.subscribe(keys.trafficChannel);
    subscriber.on('message', (_channel, message: string) => messages.push(JSON.parse(message) as TrafficChange));
    const [current, previous] = await store.history('iris', 2);
    const rolled = await store.rollback('iris', { ifMatch: current!.revision });
    assert.equal(rolled.revision, current!.revision + 1);
    assert.deepEqual(rolled.routes, previous!.routes);
    assert.equal(rolled.restoredFrom, previous!.revision);
    for (let i = 0; i < 100 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(messages, [{ model: 'iris', revision: rolled.revision }]);
  });

  it('rollback with a stale If-Match is refused', async () => {
    await assert.rejects(store.rollback('iris', { ifMatch: 1 }), (e) => code(e) === 'PRECONDITION_FAILED');
  });

  it('restores a named revision and refuses one the history no longer holds', async () => {
    const oldest = (await store.history('iris')).at(-1)!;
    const restored = await store.restore('iris', oldest.revision, { reason: 'back' });
    assert.deepEqual(restored.routes, oldest.routes);
    assert.equal(restored.reason, 'back');
    await assert.rejects(store.restore('iris', 1), (e) => code(e) === 'TRAFFIC_REVISION_NOT_FOUND');
  });

  it('clears to an empty policy (a revision too, so it can be rolled back)', async () => {
    const before = (await store.get('iris'))!;
    const cleared = await store.clear('iris');
    assert.deepEqual(cleared.routes, []);
    assert.equal(cleared.shadow, null);
    const back = await store.rollback('iris');
    assert.deepEqual(back.routes, before.routes);
  });

  it('has nothing to roll back for a model with one revision', async () => {
    await store.put('solo', split(100));
    await assert.rejects(store.rollback('solo'), (e) => code(e) === 'NOTHING_TO_ROLL_BACK');
  });
});
