import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqClientError } from '@inferq/client';
import { EXIT, exitCodeOf, UsageError } from './exit-codes.js';

describe('exit codes', () => {
  it('maps each kind of failure to its documented code', () => {
    const cases: Array<[unknown, number]> = [
      [new InferqClientError('INFERENCE_FAILED', 'x', { predictionId: 'p', status: 422 }), EXIT.PREDICTION_FAILED],
      [new InferqClientError('DEADLINE_EXCEEDED', 'x', { predictionId: 'p', status: 504 }), EXIT.PREDICTION_FAILED],
      [new InferqClientError('WORKER_FAILED', 'x', { predictionId: 'p', status: 500 }), EXIT.PREDICTION_FAILED],
      [new UsageError('x'), EXIT.USAGE],
      [new InferqClientError('INVALID_ARGUMENT', 'x'), EXIT.USAGE],
      [new InferqClientError('CONNECTION_FAILED', 'x'), EXIT.CONNECTION],
      [new InferqClientError('CLIENT_TIMEOUT', 'x', { predictionId: 'p' }), EXIT.CONNECTION],
      [new InferqClientError('QUEUE_UNAVAILABLE', 'x', { status: 503 }), EXIT.CONNECTION],
      [new InferqClientError('INTERNAL_ERROR', 'x', { status: 500 }), EXIT.CONNECTION],
      [new InferqClientError('UNAUTHORIZED', 'x', { status: 401 }), EXIT.AUTH],
      [new InferqClientError('FORBIDDEN', 'x', { status: 403 }), EXIT.AUTH],
      [new InferqClientError('SHAPE_MISMATCH', 'x', { status: 400 }), EXIT.REJECTED],
      [new InferqClientError('PREDICTION_NOT_FOUND', 'x', { status: 404 }), EXIT.REJECTED],
      [new InferqClientError('QUEUE_FULL', 'x', { status: 429 }), EXIT.REJECTED],
    ];
    for (const [error, code] of cases) assert.equal(exitCodeOf(error), code, String(error));
  });
});
