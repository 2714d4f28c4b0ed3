/**
 * Reference uploads (issue 9 A.5) against a real Redis and the real API: the API reads an upload
 * with the monitor's own reader, so every file it accepts is one the monitor uses for drift, and
 * everything else gets 400 INVALID_REFERENCE naming the problem. Limits on columns and rows keep
 * a hostile upload from costing memory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisKeys } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { loadModelRepository } from '@inferq/model-repository';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';
import { MonitoringStore } from '@inferq/predictions';
import { ReferenceProfiles } from '../../apps/monitor/src/reference-profiles.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const HEADER = 'sepal_length,sepal_width,petal_length,petal_width,label';
const URL_PATH = '/v1/models/iris/versions/1/reference';

describe('reference uploads (one reader for API and monitor)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  const put = (payload: string) => stack.app.inject({ method: 'PUT', url: URL_PATH, payload, headers: { 'content-type': 'text/csv' } });

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 0, env: { REFERENCE_MAX_COLUMNS: '50', REFERENCE_MAX_ROWS: '1000' } });
  });
  after(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('refuses what the monitor cannot read, with INVALID_REFERENCE naming the problem', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['duplicate column', `${HEADER},label\n1,2,3,4,0,0\n`, /duplicate column "label"/],
      ['empty column name', `${HEADER},\n1,2,3,4,0,\n`, /column 6 of the header has no name/],
      ['unterminated quote', `${HEADER}\n1,2,3,4,"0\n`, /unterminated quoted cell/],
      ['ragged row', `${HEADER}\n1,2,3,4,0\n1,2,3\n`, /different number of cells than the header on line 3/],
      ['hex number', `${HEADER}\n0x10,2,3,4,0\n`, /data row 1, column "sepal_length": "0x10" is not a decimal number/],
      ['missing feature column', 'sepal_length,sepal_width,petal_length,label\n1,2,3,0\n', /lacks the feature column\(s\) "petal_width"/],
      ['no data rows', `${HEADER}\n`, /no data rows/],
      ['too many columns', `${Array.from({ length: 51 }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(50)}1\n`, /51 columns, more than 50/],
      ['too many rows', `${HEADER}\n${'1,2,3,4,0\n'.repeat(1001)}`, /more than 1000 data rows/],
    ];
    for (const [name, body, message] of cases) {
      const response = await put(body);
      assert.equal(response.statusCode, 400, `${name}: ${response.body}`);
      const { error } = response.json() as { error: { code: string; message: string } };
      assert.equal(error.code, 'INVALID_REFERENCE', name);
      assert.match(error.message, message, name);
    }
  });

  it('reads quoted numbers as numbers in the API and in the monitor alike', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `"5.${i % 10}","3.${i % 7}","1.${i % 5}","0.${1 + (i % 3)}","${i % 3}"`);
    const response = await put(`${HEADER}\n${rows.join('\n')}\n`);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().rows, 30);
    // The monitor's side: the stored upload, read the way the monitor reads it.
    const connection = createRedisConnection(redis.url, 'producer');
    await waitUntilReady(connection);
    try {
      const store = new MonitoringStore(connection, redisKeys(stack.keyPrefix));
      const references = new ReferenceProfiles(store, createLogger('test', 'silent'), { maxColumns: 50, maxRows: 1000 });
      const iris = loadModelRepository(MODELS_DIR).repository.resolve('iris', '1');
      const reference = await references.get(iris);
      assert.ok(reference, 'the monitor can use the accepted upload');
      assert.equal(reference.source, 'upload');
      assert.equal(reference.rows, 30);
      for (const feature of ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']) {
        assert.equal(reference.profile.features[feature]!.type, 'numeric', feature);
        assert.equal(reference.profile.features[feature]!.missing, 0, feature);
      }
    } finally {
      connection.disconnect();
    }
  });

  it('refuses a million-column or a million-row upload without holding it in memory', async () => {
    const before = process.memoryUsage().rss;
    const wide = `${Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',')}\n`;
    const wideResponse = await put(wide);
    assert.equal(wideResponse.json().error.code, 'INVALID_REFERENCE');
    assert.match(wideResponse.json().error.message, /longer than the limit|more than 50/);
    const long = `${HEADER}\n${'1,2,3,4,0\n'.repeat(1_000_000)}`;
    const longResponse = await put(long);
    assert.equal(longResponse.json().error.code, 'INVALID_REFERENCE');
    assert.match(longResponse.json().error.message, /more than 1000 data rows/);
    // The bodies themselves are ~7 and ~10 MB; parsing stops at the limit instead of building rows.
    const grownMiB = (process.memoryUsage().rss - before) / 1_048_576;
    assert.ok(grownMiB < 256, `RSS grew ${grownMiB.toFixed(0)} MiB`);
  });
});
