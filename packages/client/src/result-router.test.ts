import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqClientError } from './errors.js';
import { ResultRouter, type Outcome } from './result-router.js';
import type { FinalPrediction } from './types.js';

const done = (id: string): FinalPrediction => ({ id, status: 'completed', result: { model_name: 'm', id, outputs: [] }, timings: {} });

describe('result router: each result once per waiter', () => {
  it('settles every waiter of an id once and drops later copies', () => {
    const router = new ResultRouter();
    const got: Outcome[] = [];
    assert.equal(router.wait('a', (o) => got.push(o)).isNew, true);
    assert.equal(router.wait('a', (o) => got.push(o)).isNew, false);
    router.deliver(done('a'));
    router.deliver(done('a')); // the re-subscribe's copy
    assert.equal(got.length, 2);
    assert.deepEqual(router.stats, { delivered: 1, duplicatesDropped: 1 });
    assert.equal(router.wasDelivered('a'), true);
  });

  it('keeps a result that came before its waiter, and fails waiters with an error', () => {
    const router = new ResultRouter();
    router.deliver(done('early'));
    const got: Outcome[] = [];
    router.wait('early', (o) => got.push(o));
    assert.equal(got[0]?.prediction?.id, 'early');
    router.wait('x', (o) => got.push(o));
    router.fail('x', new InferqClientError('PREDICTION_NOT_FOUND', 'gone'));
    assert.equal(got[1]?.error?.code, 'PREDICTION_NOT_FOUND');
    assert.equal(router.size, 0);
  });

  it('forgets a cancelled waiter', () => {
    const router = new ResultRouter();
    const { cancel } = router.wait('c', () => assert.fail('cancelled'));
    cancel();
    assert.equal(router.has('c'), false);
    router.deliver(done('c'));
  });
});
