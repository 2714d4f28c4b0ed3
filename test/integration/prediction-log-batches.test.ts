/**
 * The prediction log with batch entries (one per worker batch) next to single entries (cache
 * hits, older workers), on a real Redis: exports expand batches into their predictions in order,
 * and the per-prediction `logId` (`<stream id>:<i>`) resumes exactly after that prediction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisKeys, type PredictionLogBatch, type PredictionLogEntry } from '@inferq/contract';
import { createRedisConnection } from '@inferq/redis';
import { expandLogBatch, parseLogSince, PredictionLog, splitLogId } from '@inferq/predictions';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

function batchOf(first: number, count: number, version = '1'): PredictionLogBatch {
  const ids = Array.from({ length: count }, (_, k) => `p${first + k}`);
  return {
    model: 'iris', version, worker: 'w', device: 'cpu', finishedAt: 1_000 + first, sampleRate: 1,
    ids, createdAt: ids.map(() => 990), rows: ids.map(() => 1), ok: ids.map(() => 1 as const),
    timings: { totalMs: ids.map((_, k) => k) },
    inputs: { features: { kind: 'tabular', shapes: ids.map(() => [1, 2]), featureNames: ['a', 'b'], columns: [ids.map((_, k) => first + k), ids.map(() => 0.5)] } },
    outputs: { rows: ids.map(() => 1), classes: ids.map((_, k) => k % 3) },
  };
}

const single: PredictionLogEntry = {
  id: 'cached', model: 'iris', version: '1', status: 'completed', createdAt: 1, finishedAt: 2, sampleRate: 1, rows: 1, worker: '', device: '',
  timings: {}, inputs: { features: { kind: 'tabular', featureNames: ['a', 'b'], rows: [[9, 9]] } }, cached: true,
};

describe('prediction log batch entries', () => {
  let redis: TestRedis;
  let connection: ReturnType<typeof createRedisConnection>;
  let log: PredictionLog;
  before(async () => {
    redis = await startTestRedis();
    connection = createRedisConnection(redis.url, 'worker');
    log = new PredictionLog(connection, redisKeys('plb'));
    await log.appendBatch(batchOf(0, 3));
    await log.append([single]);
    await log.appendBatch(batchOf(3, 2, '2'));
    await log.appendBatch(batchOf(5, 4));
  });
  after(async () => {
    await connection.quit();
    await redis.dispose();
  });

  const read = async (query: Parameters<PredictionLog['read']>[0]) => {
    const entries = [];
    for await (const entry of log.read(query)) entries.push(entry);
    return entries;
  };

  it('one stream entry per batch; reads expand them in order, next to single entries', async () => {
    assert.equal(await log.length(), 4);
    const all = await read({});
    assert.deepEqual(all.map((e) => e.id), ['p0', 'p1', 'p2', 'cached', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']);
    assert.match(all[0]!.logId, /^\d+-\d+:0$/);
    assert.match(all[3]!.logId, /^\d+-\d+$/, 'a single entry keeps its stream id');
    assert.deepEqual(all.slice(0, 3).map(({ logId: _, ...entry }) => entry), expandLogBatch(batchOf(0, 3)));
    assert.deepEqual(all[1]!.inputs.features, { kind: 'tabular', featureNames: ['a', 'b'], rows: [[1, 0.5]] });
  });

  it('resumes after any logId, inside a batch or after a single entry, with limits and filters', async () => {
    const all = await read({});
    for (let i = 0; i < all.length; i++) {
      assert.deepEqual((await read({ after: all[i]!.logId })).map((e) => e.id), all.slice(i + 1).map((e) => e.id), `after ${all[i]!.logId}`);
    }
    // Paging by 2 with the last logId as cursor visits every prediction once, pages of one stream entry each.
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const got = await read({ limit: 2, pageSize: 1, ...(cursor ? { after: cursor } : {}) });
      if (got.length === 0) break;
      paged.push(...got.map((e) => e.id));
      cursor = got.at(-1)!.logId;
    }
    assert.deepEqual(paged, all.map((e) => e.id));
    assert.deepEqual((await read({ version: '2' })).map((e) => e.id), ['p3', 'p4']);
    assert.deepEqual((await read({ after: all[1]!.logId, version: '1', limit: 3 })).map((e) => e.id), ['p2', 'cached', 'p5']);
    // A stream id alone skips its whole entry.
    assert.deepEqual((await read({ after: splitLogId(all[0]!.logId)!.streamId })).map((e) => e.id)[0], 'cached');
  });

  it('since: a logId is a cursor, epoch ms and ISO times are bounds, anything else is refused', async () => {
    assert.deepEqual(parseLogSince('1795316133499-0:7'), { after: '1795316133499-0:7' });
    assert.deepEqual(parseLogSince('1795316133499-0'), { after: '1795316133499-0' });
    assert.deepEqual(parseLogSince('1795316133499'), { from: '1795316133499' });
    assert.deepEqual(parseLogSince('2026-01-01T00:00:00Z'), { from: String(Date.parse('2026-01-01T00:00:00Z')) });
    for (const bad of ['yesterday', '1-2:x', '']) assert.equal(parseLogSince(bad), undefined, bad);
    await assert.rejects(read({ after: 'nope' }), /not a logId/);
  });
});
