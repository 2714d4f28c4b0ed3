import { PredictionFailure, type BatchingSettings, type InferenceResponse, type PredictionFinalEvent, type ResponseOutput, type PredictionJobData, type WorkerIdentity } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import type { PredictionStore } from '@inferq/predictions';
import { countNonFinite, valuesToJson } from '@inferq/tensor';
import type { Logger } from '@inferq/logger';
import { itemBatchKey, runBatchIsolated, type BatchItem, type ItemOutcome, type TensorRunner } from './batch-execution.js';
import { runDeduplicated } from './batch-dedupe.js';
import { MicroBatcher, type BatchPolicy } from './micro-batcher.js';
import type { CacheFiller } from './cache-filler.js';
import type { OutcomeRecorder } from './outcome-recorder.js';
import type { PredictionLogWriter } from './prediction-log-writer.js';
import { DEFAULT_RUNNING_MARK_DELAY_MS, RunningMark } from './running-mark.js';

/** What a batch needs of the store besides its outcomes: mark it running, drop its claim-check payloads. */
export type BatchStore = Pick<PredictionStore, 'markRunning' | 'deletePayloads'>;

/** The failure of a prediction the model raised an error on (retries cannot help). */
export function inferenceFailure(error: Error): PredictionFailure {
  return new PredictionFailure('INFERENCE_FAILED', `the model failed on this input: ${error.message.slice(0, 500)}`, { cause: error });
}

/** A job waiting in the batcher: its decoded inputs plus what the result needs. */
export interface QueuedPrediction extends BatchItem {
  job: PredictionJobData;
  /** False: a failure is not recorded, the caller re-queues the prediction on its own (see PredictionTask). @defaultValue true */
  recordFailure?: boolean;
  /**
   * Whose prediction the item is; only a `client` item is this server's own and writes its outcome
   * (record, event, cache entry, claim-check cleanup, log entry).
   * @defaultValue 'client'
   */
  owner?: PredictionOwner;
}

/**
 * Who owns an item's outcome:
 * - `client`: a prediction a client submitted for this model version; the batch writes its outcome.
 * - `pipeline`: a model step of a pipeline; the outputs go back to the pipeline, which writes the
 *   outcome. `job` is the pipeline's job, so the item never shares a run by that job's cache key.
 * - `batch`: a row of a batch job (apps/worker/src/batches), which keeps its own outcome; it shares
 *   the batch with online predictions but does not count as one (see `lastOnlineAt`).
 */
export type PredictionOwner = 'client' | 'pipeline' | 'batch';

/** Counters of one model version, for heartbeats. */
export interface ServerCounters {
  batches: number;
  predictions: number;
  failures: number;
  /** Wall time spent inside `session.run`, summed over batches, in ms (the benchmark's inference share). */
  inferenceMs: number;
  /** Predictions that shared the run of an identical one in their batch (same cache key, docs/cache.md). */
  sharedRuns: number;
}

/** Options of a ModelVersionServer. */
export interface ModelVersionServerOptions {
  /** `RUNNING_MARK_DELAY_MS`: how long a batch runs before its predictions are marked `running` (0: at once). @defaultValue 50 */
  runningMarkDelayMs?: number;
}

/**
 * Serves one model version in this worker: a micro-batcher in front of one onnxruntime session.
 * Each batch costs one Redis round trip whatever its size: write results and publish them
 * through the worker's one OutcomeRecorder (see PredictionStore); a batch still running after
 * `runningMarkDelayMs` marks its predictions `running` first (see RunningMark).
 */
export class ModelVersionServer {
  readonly model: ModelVersion;
  readonly counters: ServerCounters = { batches: 0, predictions: 0, failures: 0, inferenceMs: 0, sharedRuns: 0 };
  readonly #runner: TensorRunner;
  readonly #store: BatchStore;
  readonly #outcomes: OutcomeRecorder;
  readonly #worker: WorkerIdentity;
  readonly #logger: Logger;
  readonly #batcher: MicroBatcher<QueuedPrediction, ItemOutcome>;
  readonly #log: PredictionLogWriter | undefined;
  readonly #cache: CacheFiller | undefined;
  readonly #runningMarkDelayMs: number;
  #batching: BatchPolicy;
  #lastOnlineAt = 0;

  /**
   * @param log - the prediction log writer; absent: nothing is logged.
   * @param cache - fills the prediction cache of a version that caches; absent: nothing is cached.
   */
  constructor(model: ModelVersion, runner: TensorRunner, store: BatchStore, outcomes: OutcomeRecorder, worker: WorkerIdentity, logger: Logger, log?: PredictionLogWriter, cache?: CacheFiller, options: ModelVersionServerOptions = {}) {
    this.#runningMarkDelayMs = options.runningMarkDelayMs ?? DEFAULT_RUNNING_MARK_DELAY_MS;
    this.#outcomes = outcomes;
    this.#cache = cache;
    this.#log = log;
    this.model = model;
    this.#batching = defaultBatching(model);
    this.#runner = runner;
    this.#store = store;
    this.#worker = worker;
    this.#logger = logger.child({ model: model.name, version: model.version });
    this.#batcher = new MicroBatcher<QueuedPrediction, ItemOutcome>({
      // Read on every decision so a run-time change (applyBatching) applies to the next batch.
      policy: () => this.#batching,
      runBatch: (items) => this.#runBatch(items),
      sizeOf: (item) => item.rows,
      keyOf: itemBatchKey,
    });
  }

  /** The batching settings in force. */
  get batching(): BatchingSettings {
    const { maxBatchSize, maxQueueDelayMs, preferredBatchSizes = [], adaptive = false } = this.#batching;
    return { maxBatchSize, maxQueueDelayMs, preferredBatchSizes: [...preferredBatchSizes], adaptive };
  }

  /** Changes the batching settings (a run-time override, or undefined to return to config.json). */
  applyBatching(settings: BatchingSettings | undefined): void {
    this.#batching = settings ? { ...settings } : defaultBatching(this.model);
    this.#logger.info({ batching: this.batching }, 'batching settings applied');
  }

  /** Queues a prediction for the next batch; resolves once its result is stored and published. */
  submit(prediction: QueuedPrediction): Promise<ItemOutcome> {
    if (prediction.owner !== 'batch') this.#lastOnlineAt = performance.now();
    return this.#batcher.submit(prediction);
  }

  /** When an online prediction (not a batch row) last arrived, `performance.now()` ms; batch jobs yield to them. */
  get lastOnlineAt(): number {
    return this.#lastOnlineAt;
  }

  /** Runs whatever is waiting and resolves when no batch is running. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }

  async #runBatch(items: QueuedPrediction[]): Promise<ItemOutcome[]> {
    const startedAt = Date.now();
    // Pipeline steps and batch-job rows share the batch but keep their outcomes (see PredictionOwner):
    // neither writes a record, event, cache entry or log entry.
    const own = items.map((item, i) => ({ item, i })).filter(({ item }) => (item.owner ?? 'client') === 'client');
    // Never awaited before running: a mark goes out on the connection of the final write, before
    // it, so Redis applies them in order; most batches end before the delay and send none.
    const running = own.length === 0 ? undefined : new RunningMark(() => this.#store.markRunning(own.map(({ item }) => item.job), this.#worker)
      .then(() => undefined, (error: Error) => this.#logger.warn({ err: error }, 'could not mark batch running')), this.#runningMarkDelayMs);
    // Identical cacheable misses of one batch run once (a version without `cache` has no keys;
    // a pipeline step's item is not the job's own prediction, so it never shares by the job's key).
    const { outcomes: allOutcomes, shared } = await runDeduplicated(items, (item) => (item.owner === 'pipeline' ? undefined : item.job.cacheKey), (unique) => runBatchIsolated(this.#runner, unique));
    this.counters.sharedRuns += shared;
    const finishedAt = Date.now();
    const ownItems = own.map(({ item }) => item);
    const outcomes = own.map(({ i }) => allOutcomes[i]!);
    const events = ownItems.map((item, i) => this.#finalEvent(item, outcomes[i]!, startedAt, finishedAt));
    const deferred = (i: number) => events[i]!.status === 'failed' && ownItems[i]!.recordFailure === false;
    // Sent before the outcomes, on the same connection: the entry exists once the result is published.
    const cached = ownItems.length === 0 ? undefined : this.#cache?.fill(this.model, ownItems, outcomes, events);
    const toRecord = events.filter((_, i) => !deferred(i));
    const marked = running?.settle();
    if (toRecord.length > 0) await this.#outcomes.record(toRecord);
    await marked;
    await cached;
    // Claim-check payloads of completed predictions are no longer needed (failed ones stay for a retry).
    const done = ownItems.filter((item, i) => item.job.payloadKey && outcomes[i]!.ok).map((item) => item.id);
    if (done.length > 0) await this.#store.deletePayloads(done).catch((error: Error) => this.#logger.warn({ err: error }, 'could not delete claim-check payloads'));
    // Not awaited: the log is written after the results, off the jobs' path (see prediction-log-writer.ts).
    // A deferred failure is re-queued, not final: it is logged when it ends.
    if (ownItems.length > 0) this.#log?.record(this.model, ownItems, outcomes, events, finishedAt, deferred);

    const failed = allOutcomes.filter((o) => !o.ok).length;
    this.counters.batches++;
    this.counters.predictions += items.length;
    this.counters.failures += failed;
    const first = allOutcomes.find((o) => o.ok);
    if (first?.ok) this.counters.inferenceMs += first.inferenceMs;
    // debug: one line per batch would be most of an info log under load; /metrics counts batches.
    this.#logger.debug(
      {
        jobIds: items.map((i) => i.id),
        batchRequests: items.length,
        batchSize: items.reduce((n, i) => n + i.rows, 0),
        inferenceMs: first?.ok ? round(first.inferenceMs) : undefined,
        queueWaitMs: startedAt - Math.min(...items.map((i) => i.job.createdAt)),
        failed,
      },
      'batch done',
    );
    return allOutcomes;
  }

  /**
   * Built member by member with `origin` last: finalEventText then serialises the object as it
   * is (the stored and announced text puts `origin` last), and no spread copies it per prediction.
   */
  #finalEvent(item: QueuedPrediction, outcome: ItemOutcome, startedAt: number, finishedAt: number): PredictionFinalEvent {
    const { job } = item;
    const event: PredictionFinalEvent = { id: job.id, model: job.model, version: job.version, createdAt: job.createdAt, worker: this.#worker } as PredictionFinalEvent;
    if (job.route !== undefined) event.route = job.route;
    if (job.shadowOf !== undefined) event.shadowOf = job.shadowOf;
    if (!outcome.ok) {
      event.status = 'failed';
      event.error = inferenceFailure(outcome.error).error;
      event.timings = { queueWaitMs: startedAt - job.createdAt, totalMs: finishedAt - job.createdAt, batchSize: item.rows, batchRequests: 1 };
    } else {
      const wanted = job.outputs;
      const outputs: ResponseOutput[] = [];
      for (const o of outcome.outputs) {
        if (!wanted || wanted.includes(o.name)) outputs.push(jsonOutput(o.name, o.datatype, o.shape, valuesToJson(o.data, o.datatype)));
      }
      const result: InferenceResponse = { model_name: job.model, model_version: job.version, id: job.requestId ?? job.id, outputs };
      event.status = 'completed';
      event.result = result;
      event.timings = {
        queueWaitMs: startedAt - job.createdAt,
        inferenceMs: round(outcome.inferenceMs),
        totalMs: finishedAt - job.createdAt,
        batchSize: outcome.batchRows,
        batchRequests: outcome.batchRequests,
      };
    }
    if (job.origin !== undefined) event.origin = job.origin;
    return event;
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** A response output; one holding NaN or ±∞ says how many (`parameters.non_finite`, see docs/api.md). */
export function jsonOutput(name: string, datatype: ResponseOutput['datatype'], shape: number[], data: ResponseOutput['data']): ResponseOutput {
  const nonFinite = countNonFinite(data, datatype);
  return nonFinite > 0 ? { name, datatype, shape, data, parameters: { non_finite: nonFinite } } : { name, datatype, shape, data };
}

/** The batching settings of a version's config.json. */
export function defaultBatching(model: ModelVersion): BatchPolicy {
  return {
    maxBatchSize: Math.max(1, model.maxBatchSize),
    maxQueueDelayMs: model.maxQueueDelayMs,
    preferredBatchSizes: model.preferredBatchSizes,
    adaptive: model.adaptiveBatching,
  };
}
