import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent } from '@inferq/contract';
import { latencyBucket } from '@inferq/predictions';
import { statsIncrements } from './version-stats-writer.js';

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
