/**
 * Monitoring windows in a real Redis: closed at WINDOW_SIZE rows or WINDOW_MS after their first
 * item, numbered per version, and — with several monitors appending at once — each window closed
 * exactly once with every item in exactly one window.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { redisKeys } from '@inferq/contract';
import { createRedisConnection } from '@inferq/redis';
import { WindowBuffer, type ClosedWindow } from '../../apps/monitor/src/window-buffer.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

describe('WindowBuffer (real Redis)', () => {
  let redis: TestRedis;
  let connections: Redis[];

  before(async () => {
    redis = await startTestRedis();
    connections = [createRedisConnection(redis.url, 'worker'), createRedisConnection(redis.url, 'worker')];
  });
  after(async () => {
    for (const c of connections ?? []) await c.quit();
    await redis?.dispose();
  });

  const item = (n: number, rows = 1) => ({ json: JSON.stringify({ n }), rows });

  it('closes a window when it holds WINDOW_SIZE rows, numbering windows per version', async () => {
    const buffer = new WindowBuffer(connections[0]!, redisKeys('count'), 'predictions', 3, 0);
    assert.deepEqual(await buffer.append('m', '1', [item(1), item(2)]), []);
    const [first, ...rest] = await buffer.append('m', '1', [item(3), item(4), item(5, 2), item(6)]);
    assert.deepEqual(first?.items.map((i) => JSON.parse(i).n), [1, 2, 3]);
    assert.equal(first?.seq, 1);
    assert.deepEqual(rest.map((w) => [w.seq, w.items.map((i) => JSON.parse(i).n)]), [[2, [4, 5]]], 'a 2-row item completes the second window');
    assert.deepEqual((await buffer.append('m', '2', [item(7), item(8), item(9)])).map((w) => w.seq), [1], 'another version counts on its own');
    assert.deepEqual((await buffer.append('m', '1', [item(10), item(11)])).map((w) => [w.seq, w.items.length]), [[3, 3]]);
  });

  it('closes a window WINDOW_MS after its first item, on append or when due', async () => {
    const buffer = new WindowBuffer(connections[0]!, redisKeys('time'), 'predictions', 0, 1_000);
    assert.deepEqual(await buffer.append('m', '1', [item(1)], 10_000), []);
    assert.equal(await buffer.closeIfDue('m', '1', 10_999), undefined);
    assert.deepEqual((await buffer.closeIfDue('m', '1', 11_000))?.items.map((i) => JSON.parse(i).n), [1]);
    assert.equal(await buffer.closeIfDue('m', '1', 20_000), undefined, 'nothing open');
    assert.deepEqual(await buffer.append('m', '1', [item(2)], 30_000), []);
    const closed = await buffer.append('m', '1', [item(3)], 31_500);
    assert.deepEqual(closed.map((w) => [w.seq, w.startedAt, w.items.length]), [[2, 30_000, 2]]);
  });

  it('one large append closes several windows, keeps the order, and leaves the rest open (items of 0 rows included)', async () => {
    const keys = redisKeys('large');
    const buffer = new WindowBuffer(connections[0]!, keys, 'predictions', 1_000, 0);
    assert.deepEqual(await buffer.append('m', '1', [item(0, 0), item(1)]), [], 'a 0-row item waits in the window too');
    const items = Array.from({ length: 3_500 }, (_, i) => item(i + 2));
    const closed = await buffer.append('m', '1', items);
    assert.deepEqual(closed.map((w) => [w.seq, w.items.length]), [[1, 1_001], [2, 1_000], [3, 1_000]], 'the first window holds the 0-row item as well');
    const numbers = closed.flatMap((w) => w.items.map((i) => JSON.parse(i).n as number));
    assert.deepEqual(numbers.slice(0, 3), [0, 1, 2]);
    assert.deepEqual(numbers, Array.from({ length: 3_001 }, (_, i) => i), 'every item once, in order');
    assert.equal(await connections[0]!.llen(keys.monitorWindow('predictions', 'm', '1')), 501, 'the rest waits (pushed in chunks)');
    assert.equal(await connections[0]!.hget(keys.monitorWindowMeta('predictions', 'm', '1'), 'rows'), '501');
    const [next] = await buffer.append('m', '1', Array.from({ length: 499 }, (_, i) => item(3_502 + i)));
    assert.deepEqual([next?.seq, next?.items.length, JSON.parse(next!.items[0]!).n], [4, 1_000, 3_001]);
  });

  it('two monitors appending concurrently close each window once and lose no item', async () => {
    const keys = redisKeys('race');
    const buffers = connections.map((c) => new WindowBuffer(c, keys, 'predictions', 7, 0));
    const closed: ClosedWindow[] = [];
    await Promise.all(buffers.map(async (buffer, b) => {
      for (let i = 0; i < 50; i++) closed.push(...(await buffer.append('m', '1', [item(b * 1000 + i)])));
    }));
    assert.deepEqual(closed.map((w) => w.seq).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    assert.ok(closed.every((w) => w.items.length === 7));
    const seen = closed.flatMap((w) => w.items.map((i) => JSON.parse(i).n as number));
    assert.equal(new Set(seen).size, 98);
    assert.equal(await connections[0]!.llen(keys.monitorWindow('predictions', 'm', '1')), 2, 'the 2 left over wait for the next window');
  });
});
