import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnrecoverableError } from 'bullmq';
import { PredictionFailure } from '@inferq/contract';
import { givenUpError } from './prediction-worker.js';

const job = (attemptsMade: number, attempts = 3) => ({ attemptsMade, opts: { attempts } });

describe('givenUpError', () => {
  it('waits while attempts are left for a transient error, then gives up with WORKER_FAILED', () => {
    assert.equal(givenUpError(job(1), new Error('redis blip')), undefined);
    assert.equal(givenUpError(job(2), new Error('redis blip')), undefined);
    const failure = givenUpError(job(3), new Error('redis blip'));
    assert.equal(failure?.code, 'WORKER_FAILED');
    assert.match(failure?.message ?? '', /gave up after 3 attempts: redis blip/);
  });

  it('records nothing for a PredictionFailure: the handler recorded it before throwing', () => {
    assert.equal(givenUpError(job(1), new PredictionFailure('INFERENCE_FAILED', 'idx out of range')), undefined);
  });

  it("turns BullMQ's stall limit into WORKER_FAILED at once", () => {
    const failure = givenUpError(job(0), new UnrecoverableError('job stalled more than allowable limit'));
    assert.equal(failure?.code, 'WORKER_FAILED');
    assert.match(failure?.message ?? '', /stalled more than allowable limit.*MAX_STALLED_COUNT/);
  });
});
