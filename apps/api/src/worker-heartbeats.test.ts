import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '@inferq/contract';
import { startTestRedis, type TestRedis } from '../../../test/helpers/redis-server.js';
import { readWorkerHeartbeats } from './worker-heartbeats.js';

describe('readWorkerHeartbeats (real Redis)', () => {
  let server: TestRedis;
  let redis: Redis;
  before(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    redis.disconnect();
    await server.dispose();
  });

  it('falls back to scanning while no worker is in the registry', async () => {
    const keys = redisKeys('scan');
    await redis.set(keys.workerHeartbeat('old'), '{"id":"old"}');
    assert.deepEqual(await readWorkerHeartbeats(redis, keys), ['{"id":"old"}']);
  });

  it('scans at most once per half minute while the registry stays empty (no worker: scaled to zero)', async () => {
    const keys = redisKeys('empty');
    const scans = async () => Number((await redis.info('commandstats')).match(/cmdstat_scan:calls=(\d+)/)?.[1] ?? 0);
    const before = await scans();
    for (let i = 0; i < 5; i++) assert.deepEqual(await readWorkerHeartbeats(redis, keys), []);
    const after = await scans();
    assert.ok(after > before, 'the first read scans');
    assert.ok(after - before <= 1 + (await redis.dbsize()) / 1_000, `one scan's calls, not five: ${after - before}`);
  });

  it('reads the registered workers’ heartbeats without scanning, and prunes long-gone members', async () => {
    const keys = redisKeys('registry');
    // Many other keys: a scan would have to walk them all.
    const pipeline = redis.pipeline();
    for (let i = 0; i < 20_000; i++) pipeline.set(`registry:prediction:${i}`, '1');
    await pipeline.exec();
    const now = Date.now();
    await redis.set(keys.workerHeartbeat('a'), '{"id":"a"}');
    await redis.zadd(keys.workers, now, 'a', now - 30_000, 'crashed-just-now', now - 3_600_000, 'crashed-long-ago');
    const before = Number((await redis.info('commandstats')).match(/cmdstat_scan:calls=(\d+)/)?.[1] ?? 0);
    assert.deepEqual(await readWorkerHeartbeats(redis, keys), ['{"id":"a"}']);
    const afterScans = Number((await redis.info('commandstats')).match(/cmdstat_scan:calls=(\d+)/)?.[1] ?? 0);
    assert.equal(afterScans, before, 'no SCAN');
    assert.deepEqual(await redis.zrange(keys.workers, 0, -1), ['crashed-just-now', 'a'], 'the member gone for an hour is pruned');
  });
});
