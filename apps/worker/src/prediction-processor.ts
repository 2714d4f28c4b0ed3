import { UnrecoverableError, type Job } from 'bullmq';
import {
  InferqError, isErrorCode, PREDICTION_BUNDLE_JOB_NAME, type PredictionBundleData, type PredictionJobData, type TensorMetadata,
} from '@inferq/contract';
import { decodeTensor, type Tensor } from '@inferq/tensor';
import type { ModelVersion } from '@inferq/model-repository';
import type { ModelVersionServer, QueuedPrediction } from './model-version-server.js';

/**
 * Turns a job into a batcher item: decodes its tensors and re-checks them against the model,
 * because anything can write to a Redis queue. A job that can never run is an UnrecoverableError.
 */
export function preparePrediction(job: PredictionJobData, model: ModelVersion, payload?: Buffer): QueuedPrediction {
  if (!Array.isArray(job.inputs)) throw new InferqError('INVALID_REQUEST', 'job "inputs" is not an array');
  if (job.inputs.length !== model.inputs.length) {
    throw new InferqError('INVALID_REQUEST', `job carries ${job.inputs.length} inputs, model takes ${model.inputs.length}`);
  }
  let inputs: Tensor[];
  try {
    inputs = job.inputs.map((t) => decodeTensor(t, payload)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    throw new InferqError('INVALID_REQUEST', `job tensors cannot be decoded: ${(error as Error).message}`);
  }
  const byName = new Map<string, TensorMetadata>(model.inputs.map((m) => [m.name, m]));
  let rows: number | undefined;
  for (const input of inputs) {
    const meta = byName.get(input.name);
    const fits = meta && meta.datatype === input.datatype && meta.shape.length === input.shape.length
      && meta.shape.every((dim, axis) => dim === -1 || dim === input.shape[axis]);
    if (!fits) throw new InferqError('INVALID_REQUEST', `job input "${input.name}" does not fit model ${model.name}:${model.version}`);
    const inputRows = model.maxBatchSize > 0 ? input.shape[0]! : 1;
    if (rows !== undefined && rows !== inputRows) throw new InferqError('INVALID_REQUEST', 'job inputs disagree on the batch dimension');
    rows = inputRows;
  }
  return { id: job.id, job, inputs, rows: rows ?? 1 };
}

/** Finds the server of a job's model version (loading it if needed). */
export type ServerLookup = (model: string, version: string) => Promise<ModelVersionServer>;

/** Writes the final record of a job that never reached a batch (`expired` for DEADLINE_EXCEEDED, else `failed`). */
export type FailJob = (job: PredictionJobData, error: InferqError) => Promise<void>;

/**
 * The BullMQ processor of one model queue. A job whose deadline has passed when the worker takes
 * it is not run: it ends `expired` and its BullMQ job completes (it is no dead letter).
 * @param now - clock, for tests.
 */
export function createPredictionProcessor(
  lookup: ServerLookup, failJob: FailJob, now: () => number = Date.now, requeue: RequeueAlone = async () => {}, loadPayload: PayloadLoader = noPayload,
) {
  const processBundle = createBundleProcessor(lookup, failJob, now, requeue, loadPayload);
  return async (job: Job<PredictionJobData | PredictionBundleData>): Promise<{ batchSize: number }> => {
    if (job.name === PREDICTION_BUNDLE_JOB_NAME) return processBundle(job as Job<PredictionBundleData>);
    const data = job.data as PredictionJobData;
    if (data.deadline !== undefined && now() >= data.deadline) {
      const late = now() - data.deadline;
      await failJob(data, new InferqError('DEADLINE_EXCEEDED',
        `the request's timeout of ${data.deadline - data.createdAt} ms passed ${late} ms before a worker took it; it was not run`));
      return { batchSize: 0 };
    }
    let prediction: QueuedPrediction;
    let server: ModelVersionServer;
    try {
      server = await lookup(data.model, data.version);
      prediction = preparePrediction(data, server.model, await loadPayload(data));
    } catch (error) {
      if (!(error instanceof InferqError)) throw error; // e.g. a session failed to load: transient, retry
      await failJob(data, error);
      throw new UnrecoverableError(`${error.code}: ${error.message}`);
    }
    const outcome = await server.submit(prediction);
    if (!outcome.ok) throw new UnrecoverableError(`INFERENCE_FAILED: ${outcome.error.message}`);
    return { batchSize: outcome.batchRows };
  };
}

/**
 * Fetches a job's claim-check payload (raw tensor bytes stored apart from the job); undefined
 * when the job has none. A missing key (expired) makes decoding fail with a clear error.
 */
export type PayloadLoader = (job: PredictionJobData) => Promise<Buffer | undefined>;

const noPayload: PayloadLoader = async () => undefined;

/** Queues predictions as jobs of their own (with the bundle's priority). */
export type RequeueAlone = (jobs: PredictionJobData[], priority: number | undefined) => Promise<void>;

/**
 * A bundle job (predictions the API coalesced) goes through the same steps per prediction, each
 * into the micro-batcher on its own. One that cannot run (bad payload, or the model fails on it)
 * does not fail its neighbours: its failure is not written here; it is queued again as a job of
 * its own, which fails alone with the usual record, retries and dead letter.
 */
function createBundleProcessor(lookup: ServerLookup, failJob: FailJob, now: () => number, requeue: RequeueAlone, loadPayload: PayloadLoader) {
  return async (job: Job<PredictionBundleData>): Promise<{ batchSize: number }> => {
    const items = Array.isArray(job.data.bundle) ? job.data.bundle : [];
    let largestBatch = 0;
    const outcomes = await Promise.all(items.map(async (data): Promise<'done' | 'alone'> => {
      if (data.deadline !== undefined && now() >= data.deadline) {
        await failJob(data, new InferqError('DEADLINE_EXCEEDED',
          `the request's timeout of ${data.deadline - data.createdAt} ms passed ${now() - data.deadline} ms before a worker took it; it was not run`));
        return 'done';
      }
      let prediction: QueuedPrediction;
      let server: ModelVersionServer;
      try {
        server = await lookup(data.model, data.version);
        prediction = { ...preparePrediction(data, server.model, await loadPayload(data)), deferFailure: true };
      } catch (error) {
        if (!(error instanceof InferqError)) throw error;
        return 'alone';
      }
      const outcome = await server.submit(prediction);
      if (outcome.ok) largestBatch = Math.max(largestBatch, outcome.batchRows);
      return outcome.ok ? 'done' : 'alone';
    }));
    const alone = items.filter((_, i) => outcomes[i] === 'alone');
    if (alone.length > 0) await requeue(alone, job.opts.priority);
    return { batchSize: largestBatch };
  };
}

/**
 * The error to record when BullMQ has given up on a job, or undefined when it will try again.
 * - `UnrecoverableError`s thrown above carry `CODE: message`; their record is already written.
 * - BullMQ's own unrecoverable failures (a job stalled more than MAX_STALLED_COUNT times, i.e. the
 *   workers running it kept dying) and used-up attempts of transient errors become WORKER_FAILED.
 */
export function finalFailure(job: Pick<Job<PredictionJobData>, 'attemptsMade' | 'opts'>, error: Error): InferqError | undefined {
  if (error.name === 'UnrecoverableError') {
    const code = /^([A-Z][A-Z0-9_]*): /.exec(error.message)?.[1];
    if (isErrorCode(code)) return new InferqError(code, error.message.slice(code.length + 2));
    return new InferqError('WORKER_FAILED', `given up without retrying: ${error.message} (the worker running it stopped too many times; see MAX_STALLED_COUNT)`);
  }
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade < attempts) return undefined;
  return new InferqError('WORKER_FAILED', `gave up after ${job.attemptsMade} attempts: ${error.message}`);
}
