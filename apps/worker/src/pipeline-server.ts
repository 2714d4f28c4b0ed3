import { PredictionFailure, type InferenceResponse, type PredictionFinalEvent, type WorkerIdentity } from '@inferq/contract';
import type { LoadedPipeline, ModelVersion } from '@inferq/model-repository';
import type { Logger } from '@inferq/logger';
import { valuesToJson } from '@inferq/tensor';
import type { ItemOutcome } from './batch-execution.js';
import { jsonOutput, type BatchStore, type QueuedPrediction, type ServerCounters } from './model-version-server.js';
import type { OutcomeRecorder } from './outcome-recorder.js';
import { runPipeline } from './pipeline-run.js';
import type { RunnableStep } from './pipeline-steps.js';

/**
 * Serves one pipeline version in this worker: each prediction runs the step graph (model steps
 * through their models' micro-batchers) and its outcome is written like a model's, one record
 * with per-step timings. Same `submit` contract as ModelVersionServer.
 */
export class PipelineServer {
  readonly model: ModelVersion;
  readonly counters: ServerCounters = { batches: 0, predictions: 0, failures: 0, inferenceMs: 0, sharedRuns: 0 };
  readonly #pipeline: LoadedPipeline;
  readonly #steps: ReadonlyMap<string, RunnableStep>;
  readonly #store: BatchStore;
  readonly #outcomes: OutcomeRecorder;
  readonly #worker: () => WorkerIdentity;
  readonly #logger: Logger;

  constructor(model: ModelVersion, steps: ReadonlyMap<string, RunnableStep>, store: BatchStore, outcomes: OutcomeRecorder, worker: () => WorkerIdentity, logger: Logger) {
    if (!model.pipeline) throw new Error(`${model.name}:${model.version} is not a pipeline`);
    this.model = model;
    this.#pipeline = model.pipeline;
    this.#steps = steps;
    this.#store = store;
    this.#outcomes = outcomes;
    this.#worker = worker;
    this.#logger = logger.child({ model: model.name, version: model.version });
  }

  /** Runs the pipeline for one prediction; resolves once its outcome is recorded (a deferred failure is not). */
  async submit(prediction: QueuedPrediction): Promise<ItemOutcome> {
    const { job } = prediction;
    const startedAt = Date.now();
    const running = this.#store.markRunning([job], this.#worker())
      .catch((error: Error) => this.#logger.warn({ err: error }, 'could not mark prediction running'));
    const inputs = Object.fromEntries(prediction.inputs.map((t) => [t.name, t]));
    const base = { id: job.id, model: job.model, version: job.version, createdAt: job.createdAt, worker: this.#worker(), origin: job.origin };
    let outcome: ItemOutcome;
    let event: PredictionFinalEvent;
    try {
      const run = await runPipeline(this.#pipeline, this.#steps, inputs, job);
      const finishedAt = Date.now();
      const wanted = job.outputs ? new Set(job.outputs) : undefined;
      const result: InferenceResponse = {
        model_name: job.model, model_version: job.version, id: job.requestId ?? job.id,
        outputs: run.outputs.filter((o) => !wanted || wanted.has(o.name)).map((o) => jsonOutput(o.name, o.datatype, o.shape, valuesToJson(o.data, o.datatype))),
      };
      const modelMs = run.steps.filter((s) => s.kind === 'model').reduce((n, s) => n + s.ms, 0);
      event = {
        ...base, status: 'completed', result,
        timings: { queueWaitMs: startedAt - job.createdAt, inferenceMs: Math.round(modelMs * 1000) / 1000, totalMs: finishedAt - job.createdAt, steps: run.steps },
      };
      outcome = { ok: true, outputs: run.outputs, inferenceMs: modelMs, batchRows: prediction.rows, batchRequests: 1 };
    } catch (error) {
      const failure = error instanceof PredictionFailure
        ? error
        : new PredictionFailure('STEP_FAILED', `the pipeline failed: ${String((error as Error)?.message ?? error).slice(0, 500)}`, { cause: error });
      event = { ...base, status: 'failed', error: failure.error, timings: { queueWaitMs: startedAt - job.createdAt, totalMs: Date.now() - job.createdAt } };
      outcome = { ok: false, error: failure };
      this.#logger.debug({ jobId: job.id, err: failure }, 'pipeline failed');
    }
    if (outcome.ok || prediction.recordFailure !== false) await this.#outcomes.record([event]);
    await running;
    if (outcome.ok && job.payloadKey) {
      await this.#store.deletePayloads([job.id]).catch((error: Error) => this.#logger.warn({ err: error }, 'could not delete claim-check payload'));
    }
    this.counters.batches++;
    this.counters.predictions++;
    if (!outcome.ok) this.counters.failures++;
    else this.counters.inferenceMs += outcome.inferenceMs;
    return outcome;
  }

  /** Nothing is held back in a pipeline itself; its model steps drain with their own servers. */
  async drain(): Promise<void> {}
}
