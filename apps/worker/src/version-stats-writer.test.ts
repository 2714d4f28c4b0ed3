import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent } from '@inferq/contract';
import { latencyBucket } from '@inferq/predictions';
import type { StatsIncrement, VersionStatsStore } from '@inferq/predictions';
import { createLogger } from '@inferq/logger';
import { mergeIncrements, statsIncrements, VersionStatsWriter } from './version-stats-writer.js';

const base = { model: 'iris', createdAt: 0 } as const;
const completed = (id: string, version: string, totalMs: number, probabilities: number[][]): PredictionFinalEvent => ({
  ...base, id, version, status: 'completed', timings: { totalMs },
  result: { model_name: 'iris', model_version: version, id, outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [probabilities.length, 3], data: probabilities.flat() }] },
});

describe('statsIncrements', () => {
  it('counts every outcome per version and second: ended, errors, latency bucket, class per row', () => {
    const events: PredictionFinalEvent[] = [
      completed('a', '1', 12, [[0.9, 0.05, 0.05], [0.1, 0.1, 0.8]]),
      completed('b', '1', 12, [[0.1, 0.8, 0.1]]),
      { ...base, id: 'c', version: '1', status: 'failed', error: { code: 'INFERENCE_FAILED', message: 'x' }, timings: { totalMs: 5 } },
      { ...base, id: 'd', version: '2', status: 'expired', error: { code: 'DEADLINE_EXCEEDED', message: 'x' }, timings: {} },
    ];
    const increments = statsIncrements(events, 5_500, (_, version) => (version === '1' ? ['setosa', 'versicolor', 'virginica'] : undefined));
    assert.deepEqual(increments.map((i) => [i.model, i.version, i.second, Object.fromEntries(i.fields)]), [
      ['iris', '1', 5, { n: 3, [`l:${latencyBucket(12)}`]: 2, 'c:setosa': 1, 'c:virginica': 1, 'c:versicolor': 1, e: 1 }],
      ['iris', '2', 5, { n: 1, e: 1 }],
    ]);
  });
});

describe('mergeIncrements', () => {
  it('sums the fields of the same version and second, keeps other seconds and versions apart', () => {
    const inc = (version: string, second: number, fields: Record<string, number>): StatsIncrement => ({ model: 'iris', version, second, fields: new Map(Object.entries(fields)) });
    const first = inc('1', 5, { n: 2, 'l:0': 2 });
    const merged = mergeIncrements([first, inc('1', 5, { n: 1, e: 1 }), inc('1', 6, { n: 1 }), inc('2', 5, { n: 4 })]);
    assert.deepEqual(merged.map((i) => [i.version, i.second, Object.fromEntries(i.fields)]), [
      ['1', 5, { n: 3, 'l:0': 2, e: 1 }],
      ['1', 6, { n: 1 }],
      ['2', 5, { n: 4 }],
    ]);
    assert.deepEqual(Object.fromEntries(first.fields), { n: 2, 'l:0': 2 }, 'inputs are not changed');
  });
});

describe('VersionStatsWriter', () => {
  it('gathers the batches of a window into one write, and flush writes what is gathered at once', async () => {
    const writes: StatsIncrement[][] = [];
    const store = { add: async (increments: readonly StatsIncrement[]) => { writes.push([...increments]); } } as unknown as VersionStatsStore;
    const writer = new VersionStatsWriter(store, { labelsOf: () => undefined, flushIntervalMs: 50 }, createLogger('test', 'silent'));
    writer.record([completed('a', '1', 3, [[0.9, 0.05, 0.05]])], 7_100);
    writer.record([completed('b', '1', 3, [[0.9, 0.05, 0.05]])], 7_900);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(writes.length, 1, 'one write for both batches');
    assert.deepEqual(writes[0]!.map((i) => [i.second, Object.fromEntries(i.fields)]), [[7, { n: 2, [`l:${latencyBucket(3)}`]: 2, 'c:0': 2 }]]);
    assert.equal(writer.counters.counted, 2);
    writer.record([completed('c', '1', 3, [[0.1, 0.8, 0.1]])], 8_000);
    await writer.flush();
    assert.equal(writes.length, 2, 'flush does not wait for the window');
    assert.equal(writer.counters.counted, 3);
  });
});
