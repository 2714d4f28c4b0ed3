import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent, PredictionJobData } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import type { ModelVersion } from '@inferq/model-repository';
import { CacheFiller, type CacheWriter } from './cache-filler.js';
import type { ItemOutcome } from './batch-execution.js';
import type { QueuedPrediction } from './model-version-server.js';

const logger = createLogger('test', 'silent');
const KEY = 'a'.repeat(64);
const model = (cache?: ModelVersion['cache']) => ({ name: 'm', version: '1', labels: ['x', 'y'], ...(cache ? { cache } : {}) }) as ModelVersion;
const tensor = { name: 'p', datatype: 'FP32' as const, shape: [1, 2], data: Float32Array.from([0.25, 0.75]) };

function item(id: string, cacheKey?: string): QueuedPrediction {
  const job: PredictionJobData = { id, model: 'm', version: '1', inputs: [], createdAt: 0, origin: 'o', ...(cacheKey !== undefined ? { cacheKey } : {}) };
  return { id, job, inputs: [], rows: 1 };
}
const ok: ItemOutcome = { ok: true, outputs: [tensor], inferenceMs: 1, batchRows: 1, batchRequests: 1 };
const completed = (id: string): PredictionFinalEvent => ({
  id, model: 'm', version: '1', createdAt: 0, status: 'completed', timings: {},
  result: { model_name: 'm', model_version: '1', id, outputs: [{ name: 'p', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] }] },
});
const failed = (id: string): PredictionFinalEvent => ({ id, model: 'm', version: '1', createdAt: 0, status: 'failed', timings: {}, error: { code: 'INFERENCE_FAILED', message: 'x' } });

/** Records what was put, synchronously at call time. */
function writer(fail = false) {
  const puts: Array<{ key: string; resultId: string | undefined; summary: unknown }> = [];
  const cache: CacheWriter = {
    put(_model, _version, key, result, summary) {
      puts.push({ key, resultId: result.id, summary });
      return fail ? Promise.reject(new Error('OOM')) : Promise.resolve(0);
    },
  };
  return { cache, puts };
}

describe('CacheFiller', () => {
  it('puts completed predictions that carry a well-formed key, synchronously, with their output summary', async () => {
    const { cache, puts } = writer();
    const filler = new CacheFiller(cache, logger);
    const items = [item('a', KEY), item('b'), item('c', 'not-a-sha'), item('d', KEY)];
    const outcomes: ItemOutcome[] = [ok, ok, ok, { ok: false, error: new Error('boom') }];
    const done = filler.fill(model({ ttlSeconds: 60, maxEntries: 10 }), items, outcomes, [completed('a'), completed('b'), completed('c'), failed('d')]);
    assert.equal(puts.length, 1, 'sent before fill() returned, so before the outcome write that follows it');
    assert.equal(puts[0]!.key, KEY);
    assert.ok(puts[0]!.summary, 'output summary for the log of later hits');
    await done;
    assert.deepEqual(filler.counters, { written: 1, evicted: 0, failedWrites: 0 });
  });

  it('does nothing for a version without cache settings', async () => {
    const { cache, puts } = writer();
    await new CacheFiller(cache, logger).fill(model(), [item('a', KEY)], [ok], [completed('a')]);
    assert.equal(puts.length, 0);
  });

  it('counts a refused write and never rejects', async () => {
    const { cache } = writer(true);
    const filler = new CacheFiller(cache, logger);
    await filler.fill(model({ ttlSeconds: 60, maxEntries: 10 }), [item('a', KEY)], [ok], [completed('a')]);
    assert.deepEqual(filler.counters, { written: 0, evicted: 0, failedWrites: 1 });
  });
});
