import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PredictionFailure, PREDICTION_BUNDLE_JOB_NAME, PREDICTION_JOB_NAME, PRIORITY_CLASSES,
  type PredictionFinalEvent, type PredictionJobData, type TensorMetadata,
} from '@inferq/contract';
import { processPredictionJob, type PredictionJobLike } from '@inferq/queue';
import type { ModelVersion } from '@inferq/model-repository';
import { encodeTensor } from '@inferq/tensor';
import type { ItemOutcome } from './batch-execution.js';
import type { ModelVersionServer, QueuedPrediction } from './model-version-server.js';
import { createPredictionHandler, type Outcomes } from './prediction-processor.js';

const input: TensorMetadata = { name: 'x', datatype: 'FP32', shape: [-1, 2] };
const model = { name: 'm', version: '1', inputs: [input], maxBatchSize: 8 } as unknown as ModelVersion;

/** A job of model m with one FP32 [1, 2] input holding `value` twice. */
const job = (id: string, value: number, extra: Partial<PredictionJobData> = {}): PredictionJobData => ({
  id, model: 'm', version: '1', createdAt: 1_000, origin: 'o',
  inputs: [encodeTensor({ name: 'x', datatype: 'FP32', shape: [1, 2], data: Float32Array.of(value, value) })], ...extra,
});

/** A server whose model fails on inputs holding -1, and records what it was asked. */
function fakeServer() {
  const submitted: QueuedPrediction[] = [];
  const server = {
    model,
    async submit(prediction: QueuedPrediction): Promise<ItemOutcome> {
      submitted.push(prediction);
      const value = (prediction.inputs[0]!.data as Float32Array)[0];
      if (value === -1) return { ok: false, error: new Error('Gather: index out of range') };
      return { ok: true, outputs: [], inferenceMs: 1, batchRows: 3, batchRequests: 3 };
    },
  } as unknown as ModelVersionServer;
  return { server, submitted };
}

function fakeOutcomes() {
  const recorded: PredictionFinalEvent[] = [];
  const outcomes: Outcomes = {
    record: async (events) => { recorded.push(...events); },
    failedEvent: (data, error) => ({ id: data.id, model: data.model, version: data.version, createdAt: data.createdAt, status: error.code === 'DEADLINE_EXCEEDED' ? 'expired' : 'failed', error, timings: {} }),
  };
  return { outcomes, recorded };
}

describe('prediction handler', () => {
  it('does not run a job whose deadline passed: it records DEADLINE_EXCEEDED and completes the job', async () => {
    const { outcomes, recorded } = fakeOutcomes();
    let looked = false;
    const handle = createPredictionHandler(async () => { looked = true; throw new Error('must not run'); }, outcomes, () => 1_500);
    const result = await processPredictionJob({ name: PREDICTION_JOB_NAME, data: job('x', 1, { deadline: 1_200 }), opts: {} }, handle, async () => {});
    assert.deepEqual(result, { batchSize: 0 });
    assert.equal(looked, false);
    assert.equal(recorded[0]?.status, 'expired');
    assert.equal(recorded[0]?.error?.code, 'DEADLINE_EXCEEDED');
    assert.match(recorded[0]?.error?.message ?? '', /timeout of 200 ms passed 300 ms before a worker took it/);
  });

  it('records a job that can never run and throws it as an unrecoverable PredictionFailure with the same error', async () => {
    const { outcomes, recorded } = fakeOutcomes();
    const { server } = fakeServer();
    const handle = createPredictionHandler(async () => server, outcomes, () => 0);
    const bad = { ...job('bad', 1), inputs: 'nope' } as unknown as PredictionJobData;
    const thrown = await processPredictionJob({ name: PREDICTION_JOB_NAME, data: bad, opts: {} }, handle, async () => {}).catch((e: unknown) => e);
    assert.ok(thrown instanceof PredictionFailure);
    assert.equal(thrown.name, 'UnrecoverableError', 'BullMQ does not retry it');
    assert.deepEqual(recorded.map((r) => [r.id, r.status, r.error]), [['bad', 'failed', thrown.error]]);
    assert.equal(thrown.code, 'INVALID_REQUEST');
  });
});

describe('bundle path (a coalesced job through processPredictionJob and the handler)', () => {
  const bundleJob = (members: PredictionJobData[], priority?: number): PredictionJobLike =>
    ({ name: PREDICTION_BUNDLE_JOB_NAME, data: { bundle: members }, opts: priority === undefined ? {} : { priority } });

  it('runs every member on its own, records none of the failures, and re-queues the failed ones alone with the bundle priority', async () => {
    const { outcomes, recorded } = fakeOutcomes();
    const { server, submitted } = fakeServer();
    const requeued: Array<{ ids: string[]; priority: number }> = [];
    const handle = createPredictionHandler(async () => server, outcomes, () => 1_500);
    const members = [
      job('ok', 1),
      job('late', 1, { deadline: 1_200 }),
      { ...job('undecodable', 1), inputs: 'nope' } as unknown as PredictionJobData,
      job('poison', -1),
      job('ok2', 2),
    ];
    const result = await processPredictionJob(bundleJob(members, 1000), handle, async (ps, priority) => { requeued.push({ ids: ps.map((p) => p.id), priority }); });
    assert.deepEqual(result, { batchSize: 3 });
    assert.deepEqual(submitted.map((p) => [p.id, p.recordFailure]), [['ok', false], ['poison', false], ['ok2', false]], 'each ran alone in the batcher, failures not recorded');
    assert.deepEqual(requeued, [{ ids: ['undecodable', 'poison'], priority: 1000 }]);
    assert.deepEqual(recorded.map((r) => [r.id, r.status]), [['late', 'expired']], 'only the expired member ends here');
  });

  it('re-queues with normal priority (not 1, "high") when the bundle job carries none', async () => {
    const { outcomes } = fakeOutcomes();
    const { server } = fakeServer();
    const priorities: number[] = [];
    const handle = createPredictionHandler(async () => server, outcomes, () => 0);
    await processPredictionJob(bundleJob([job('poison', -1), job('ok', 1)]), handle, async (_ps, priority) => { priorities.push(priority); });
    assert.deepEqual(priorities, [PRIORITY_CLASSES.normal]);
  });

  it('fails the whole bundle (BullMQ retries it) on a transient error such as a model that did not load', async () => {
    const { outcomes, recorded } = fakeOutcomes();
    const requeued: string[] = [];
    const handle = createPredictionHandler(async () => { throw new Error('session not ready'); }, outcomes, () => 0);
    await assert.rejects(processPredictionJob(bundleJob([job('a', 1), job('b', 1)], 500), handle, async (ps) => { requeued.push(...ps.map((p) => p.id)); }), /session not ready/);
    assert.deepEqual(requeued, []);
    assert.deepEqual(recorded, []);
  });
});
