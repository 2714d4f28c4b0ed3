import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFailedReason, encodeFailedReason, PredictionFailure } from './prediction-failure.js';

describe('failed reason codec', () => {
  it('round-trips a registry code and a message holding colons', () => {
    const error = { code: 'INFERENCE_FAILED', message: 'node Gather: idx 7 out of range: [0, 4)' } as const;
    assert.deepEqual(decodeFailedReason(encodeFailedReason(error)), error);
  });

  it('reads text BullMQ wrote, or an unknown code, as WORKER_FAILED with the whole text', () => {
    assert.deepEqual(decodeFailedReason('job stalled more than allowable limit'), { code: 'WORKER_FAILED', message: 'job stalled more than allowable limit' });
    assert.deepEqual(decodeFailedReason('NOT_A_CODE: x'), { code: 'WORKER_FAILED', message: 'NOT_A_CODE: x' });
  });
});

describe('PredictionFailure', () => {
  it('carries its code, is named as BullMQ recognises an unrecoverable error, and its message is the failed reason', () => {
    const failure = new PredictionFailure('INVALID_REQUEST', 'job "inputs" is not an array');
    assert.equal(failure.name, 'UnrecoverableError');
    assert.equal(failure.message, 'INVALID_REQUEST: job "inputs" is not an array');
    assert.deepEqual(decodeFailedReason(failure.message), failure.error);
  });

  it('can be recoverable (BullMQ retries it)', () => {
    const failure = new PredictionFailure('WORKER_FAILED', 'session did not load', { unrecoverable: false });
    assert.notEqual(failure.name, 'UnrecoverableError');
    assert.equal(failure.unrecoverable, false);
  });
});
