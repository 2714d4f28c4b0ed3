import { InferqError, PredictionFailure, type PredictionJobData, type TensorMetadata } from '@inferq/contract';
import type { PredictionHandler } from '@inferq/queue';
import { decodeTensor, type Tensor } from '@inferq/tensor';
import type { ModelVersion } from '@inferq/model-repository';
import { inferenceFailure, type ModelVersionServer, type QueuedPrediction } from './model-version-server.js';
import type { OutcomeRecorder } from './outcome-recorder.js';

/**
 * Turns a job into a batcher item: decodes its tensors and re-checks them against the model,
 * because anything can write to a Redis queue. Throws INVALID_REQUEST when it can never run.
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
  let rows: number | undefined;
  for (const input of inputs) {
    // A search of the model's few inputs, not a Map of them built for every prediction.
    const meta = inputMetadata(model, input.name);
    const fits = meta && meta.datatype === input.datatype && meta.shape.length === input.shape.length
      && meta.shape.every((dim, axis) => dim === -1 || dim === input.shape[axis]);
    if (!fits) throw new InferqError('INVALID_REQUEST', `job input "${input.name}" does not fit model ${model.name}:${model.version}`);
    const inputRows = model.maxBatchSize > 0 ? input.shape[0]! : 1;
    if (rows !== undefined && rows !== inputRows) throw new InferqError('INVALID_REQUEST', 'job inputs disagree on the batch dimension');
    rows = inputRows;
  }
  return { id: job.id, job, inputs, rows: rows ?? 1 };
}

function inputMetadata(model: ModelVersion, name: string): TensorMetadata | undefined {
  for (const meta of model.inputs) if (meta.name === name) return meta;
  return undefined;
}

/** What serves a model version's predictions: its ModelVersionServer, or a PipelineServer. */
export type PredictionServer = Pick<ModelVersionServer, 'model' | 'submit'>;

/** Finds the server of a job's model version (loading it if needed). */
export type ServerLookup = (model: string, version: string) => Promise<PredictionServer>;

/**
 * Fetches a job's claim-check payload (raw tensor bytes stored apart from the job); undefined
 * when the job has none. A missing key (expired) makes decoding fail with a clear error.
 */
export type PayloadLoader = (job: PredictionJobData) => Promise<Buffer | undefined>;

const noPayload: PayloadLoader = async () => undefined;

/** Records outcomes: the worker's OutcomeRecorder. */
export type Outcomes = Pick<OutcomeRecorder, 'record' | 'failedEvent'>;

/**
 * Handles one prediction of a model queue (bundles are unpacked by the queue package, see
 * processPredictionJob). A prediction whose deadline has passed when the worker takes it is not
 * run: it ends `expired` (its job completes; it is no dead letter). One that can never run, or
 * that the model fails on, throws an unrecoverable PredictionFailure after its record is written
 * (unless `recordFailure` is false). A model version that fails to load is transient: retried.
 * @param now - clock, for tests.
 */
export function createPredictionHandler(
  lookup: ServerLookup, outcomes: Outcomes, now: () => number = Date.now, loadPayload: PayloadLoader = noPayload,
): PredictionHandler {
  return async ({ data, recordFailure }) => {
    if (data.deadline !== undefined && now() >= data.deadline) {
      const late = now() - data.deadline;
      await outcomes.record([outcomes.failedEvent(data, {
        code: 'DEADLINE_EXCEEDED',
        message: `the request's timeout of ${data.deadline - data.createdAt} ms passed ${late} ms before a worker took it; it was not run`,
      })]);
      return 0;
    }
    let prediction: QueuedPrediction;
    let server: PredictionServer;
    try {
      server = await lookup(data.model, data.version);
      prediction = preparePrediction(data, server.model, await loadPayload(data));
    } catch (error) {
      if (!(error instanceof InferqError)) throw error; // e.g. a session failed to load: transient, retry
      const failure = new PredictionFailure(error.code, error.message, { cause: error });
      if (recordFailure) await outcomes.record([outcomes.failedEvent(data, failure.error)]);
      throw failure;
    }
    // Set, not spread into a copy: the prediction is this call's own.
    prediction.recordFailure = recordFailure;
    const outcome = await server.submit(prediction);
    // Its batch recorded the failure already (unless recordFailure is false).
    // A pipeline's failure carries its own code (STEP_FAILED, STEP_TIMEOUT, ...).
    if (!outcome.ok) throw outcome.error instanceof PredictionFailure ? outcome.error : inferenceFailure(outcome.error);
    return outcome.batchRows;
  };
}
