import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnrecoverableError } from 'bullmq';
import { type InferqError, type PredictionJobData } from '@inferq/contract';
import { createPredictionProcessor, finalFailure } from './prediction-processor.js';

const job = (attemptsMade: number, attempts = 3) => ({ attemptsMade, opts: { attempts } });

describe('finalFailure', () => {
  it('waits while attempts are left for a transient error, then gives up with WORKER_FAILED', () => {
    assert.equal(finalFailure(job(1), new Error('redis blip')), undefined);
    assert.equal(finalFailure(job(2), new Error('redis blip')), undefined);
    const failure = finalFailure(job(3), new Error('redis blip'));
    assert.equal(failure?.code, 'WORKER_FAILED');
    assert.match(failure?.message ?? '', /gave up after 3 attempts: redis blip/);
  });

  it('reads our own unrecoverable errors back as their code', () => {
    const failure = finalFailure(job(1), new UnrecoverableError('INFERENCE_FAILED: idx out of range'));
    assert.equal(failure?.code, 'INFERENCE_FAILED');
    assert.equal(failure?.message, 'idx out of range');
  });

  it("turns BullMQ's stall limit into WORKER_FAILED at once", () => {
    const failure = finalFailure(job(0), new UnrecoverableError('job stalled more than allowable limit'));
    assert.equal(failure?.code, 'WORKER_FAILED');
    assert.match(failure?.message ?? '', /stalled more than allowable limit.*MAX_STALLED_COUNT/);
  });
});

describe('createPredictionProcessor', () => {
  it('does not run a job whose deadline passed: it records DEADLINE_EXCEEDED and completes the job', async () => {
    const recorded: InferqError[] = [];
    let looked = false;
    const processor = createPredictionProcessor(async () => { looked = true; throw new Error('must not run'); }, async (_job, error) => { recorded.push(error); }, () => 1_500);
    const data: PredictionJobData = { id: 'x', model: 'iris', version: '1', inputs: [], createdAt: 1_000, deadline: 1_200, origin: 'o' };
    const result = await processor({ data } as never);
    assert.deepEqual(result, { batchSize: 0 });
    assert.equal(looked, false);
    assert.equal(recorded[0]?.code, 'DEADLINE_EXCEEDED');
    assert.match(recorded[0]?.message ?? '', /timeout of 200 ms passed 300 ms before a worker took it/);
  });
});
