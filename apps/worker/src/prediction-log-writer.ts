import type { ErrorCode, PredictionFinalEvent, PredictionLogBatch, PredictionTimings, TrafficRoute } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import type { PredictionLog } from '@inferq/predictions';
import { summarizeInputBatch, summarizeOutputs, type Tensor } from '@inferq/tensor';
import type { Logger } from '@inferq/logger';
import type { ItemOutcome } from './batch-execution.js';

/** Settings of the prediction log writer. */
export interface PredictionLogWriterOptions {
  /** Share of predictions logged, 0..1. @defaultValue 1 */
  sampleRate: number;
  /** Batches whose log write may be in flight at once; beyond it, entries are dropped (and counted). @defaultValue 64 */
  maxPendingWrites?: number;
  /** Random source for sampling (tests fix it). @defaultValue Math.random */
  random?: () => number;
}

/** What one logged prediction needs from its batch. */
export interface LoggedPrediction {
  inputs: readonly Tensor[];
  rows: number;
}

/**
 * Appends a summary of each (sampled) prediction to the prediction log after its batch's results
 * are stored, off the hot path: the caller does not await it, the summaries are computed on a
 * later turn of the event loop, and the whole batch goes out as one stream entry (one XADD of a
 * `PredictionLogBatch`: one JSON to write, and one for the monitor to parse, per batch). When Redis
 * falls behind, at most `maxPendingWrites` batches wait; later entries are dropped and counted
 * rather than held in memory.
 */
export class PredictionLogWriter {
  readonly #log: PredictionLog;
  readonly #sampleRate: number;
  readonly #maxPending: number;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();
  /** Entries written, dropped under back-pressure, and failed writes (for heartbeats and tests). */
  readonly counters = { written: 0, dropped: 0, failedWrites: 0 };

  constructor(log: PredictionLog, options: PredictionLogWriterOptions, logger: Logger) {
    this.#log = log;
    this.#sampleRate = options.sampleRate;
    this.#maxPending = options.maxPendingWrites ?? 64;
    this.#random = options.random ?? Math.random;
    this.#logger = logger;
  }

  /**
   * Schedules the log entries of a finished batch; never throws, never blocks the batch.
   * @param skip - items not to log (e.g. failures that will be retried).
   */
  record(model: ModelVersion, items: readonly LoggedPrediction[], outcomes: readonly ItemOutcome[], events: readonly PredictionFinalEvent[], finishedAt: number, skip?: (index: number) => boolean): void {
    if (this.#sampleRate <= 0) return;
    const picked: number[] = [];
    for (let i = 0; i < items.length; i++) {
      if (skip?.(i)) continue;
      if (this.#sampleRate >= 1 || this.#random() < this.#sampleRate) picked.push(i);
    }
    if (picked.length === 0) return;
    if (this.#pending.size >= this.#maxPending) {
      this.counters.dropped += picked.length;
      return;
    }
    const write = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        const batch = logBatch(model, picked.map((i) => ({ item: items[i]!, outcome: outcomes[i]!, event: events[i]! })), finishedAt, this.#sampleRate);
        return this.#log.appendBatch(batch).then(() => { this.counters.written += picked.length; });
      })
      .catch((error: Error) => {
        this.counters.failedWrites++;
        this.#logger.warn({ err: error }, 'prediction log write failed');
      })
      .finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }

  /** Resolves when every scheduled write has finished (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/** One logged prediction of a batch with what it produced. */
export interface LoggedOutcome {
  item: LoggedPrediction;
  outcome: ItemOutcome;
  event: PredictionFinalEvent;
}

/**
 * The log entry of a batch's logged predictions (one model version): shared fields once, the rest
 * per prediction, each input summarised over all their rows in one pass.
 */
export function logBatch(model: ModelVersion, logged: readonly LoggedOutcome[], finishedAt: number, sampleRate: number): PredictionLogBatch {
  const count = logged.length;
  const ids: string[] = new Array(count);
  const createdAt: number[] = new Array(count);
  const rows: number[] = new Array(count);
  const ok: Array<0 | 1> = new Array(count);
  const errorCode: Array<ErrorCode | null> = new Array(count);
  const route: Array<TrafficRoute | null> = new Array(count);
  const shadowOf: Array<string | null> = new Array(count);
  const timings: Record<string, unknown[]> = {};
  let worker: PredictionFinalEvent['worker'];
  let failed = false;
  let routed = false;
  let shadows = false;
  // One pass over the predictions (this runs for every logged batch).
  for (let i = 0; i < count; i++) {
    const { item, event } = logged[i]!;
    worker ??= event.worker;
    ids[i] = event.id;
    createdAt[i] = event.createdAt;
    rows[i] = item.rows;
    ok[i] = event.status === 'completed' ? 1 : 0;
    errorCode[i] = event.error?.code ?? null;
    route[i] = event.route ?? null;
    shadowOf[i] = event.shadowOf ?? null;
    failed ||= errorCode[i] !== null;
    routed ||= route[i] !== null;
    shadows ||= shadowOf[i] !== null;
    for (const name in event.timings) {
      const value = event.timings[name as keyof PredictionTimings];
      if (value === undefined) continue;
      (timings[name] ??= new Array<unknown>(count).fill(null))[i] = value;
    }
  }
  const batch: PredictionLogBatch = {
    model: logged[0]?.event.model ?? model.name,
    version: logged[0]?.event.version ?? model.version,
    worker: worker?.id ?? '',
    device: worker?.device ?? '',
    finishedAt,
    sampleRate,
    ids,
    createdAt,
    rows,
    ok,
    timings: timings as PredictionLogBatch['timings'],
    inputs: {},
  };
  if (failed) batch.errorCode = errorCode;
  if (routed) batch.route = route;
  if (shadows) batch.shadowOf = shadowOf;
  for (const name of inputNames(logged)) {
    const tensors = logged.map(({ item }) => item.inputs.find((t) => t.name === name)!);
    batch.inputs[name] = summarizeInputBatch(tensors, model.featureNames[name]);
  }
  const outputs = outputColumns(logged.map(({ outcome }) => (outcome.ok ? summarizeOutputs(outcome.outputs, model.labels) : undefined)));
  if (outputs) batch.outputs = outputs;
  return batch;
}

/** Inputs every logged prediction has (one model version: all of them), in the first one's order. */
function inputNames(logged: readonly LoggedOutcome[]): string[] {
  const first = logged[0]?.item.inputs ?? [];
  return first.map((t) => t.name).filter((name) => logged.every(({ item }) => item.inputs.some((t) => t.name === name)));
}

/** The output summaries of a batch as columns; undefined when no prediction has one. */
function outputColumns(summaries: ReadonlyArray<ReturnType<typeof summarizeOutputs>>): PredictionLogBatch['outputs'] {
  if (summaries.every((s) => s === undefined)) return undefined;
  const outputs: NonNullable<PredictionLogBatch['outputs']> = { rows: [], classes: [] };
  const confidence: Array<number | null> = [];
  const labels: Array<string | null> = [];
  const nonFinite: Array<number | null> = [];
  for (const summary of summaries) {
    outputs.rows.push(summary ? summary.classes.length : null);
    nonFinite.push(summary?.nonFinite ?? null);
    if (!summary) continue;
    outputs.classes.push(...summary.classes);
    if (summary.confidence) confidence.push(...summary.confidence);
    if (summary.labels) labels.push(...summary.labels);
  }
  // One version: confidence and labels come with every summary or none.
  if (summaries.some((s) => s?.confidence)) outputs.confidence = confidence;
  if (summaries.some((s) => s?.labels)) outputs.labels = labels;
  if (nonFinite.some((n) => n !== null)) outputs.nonFinite = nonFinite;
  return outputs;
}
