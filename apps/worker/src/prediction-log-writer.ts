import type { PredictionFinalEvent, PredictionLogBatch, PredictionTimings } from '@inferq/contract';
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
  const worker = logged.find(({ event }) => event.worker)?.event.worker;
  const batch: PredictionLogBatch = {
    model: logged[0]?.event.model ?? model.name,
    version: logged[0]?.event.version ?? model.version,
    worker: worker?.id ?? '',
    device: worker?.device ?? '',
    finishedAt,
    sampleRate,
    ids: logged.map(({ event }) => event.id),
    createdAt: logged.map(({ event }) => event.createdAt),
    rows: logged.map(({ item }) => item.rows),
    ok: logged.map(({ event }) => (event.status === 'completed' ? 1 : 0)),
    timings: timingColumns(logged.map(({ event }) => event.timings)),
    inputs: {},
  };
  const errorCode = column(logged, ({ event }) => event.error?.code);
  if (errorCode) batch.errorCode = errorCode;
  const route = column(logged, ({ event }) => event.route);
  if (route) batch.route = route;
  const shadowOf = column(logged, ({ event }) => event.shadowOf);
  if (shadowOf) batch.shadowOf = shadowOf;
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

/** A per-prediction column, or undefined when no prediction has a value. */
function column<T>(logged: readonly LoggedOutcome[], value: (logged: LoggedOutcome) => T | undefined): Array<T | null> | undefined {
  const values = logged.map((one) => value(one) ?? null);
  return values.some((v) => v !== null) ? values : undefined;
}

/** Timing name → value per prediction (null where a prediction has none). */
function timingColumns(timings: readonly PredictionTimings[]): PredictionLogBatch['timings'] {
  const columns: Record<string, unknown[]> = {};
  timings.forEach((timing, i) => {
    for (const [name, value] of Object.entries(timing)) {
      if (value === undefined) continue;
      columns[name] ??= new Array(timings.length).fill(null);
      columns[name][i] = value;
    }
  });
  return columns as PredictionLogBatch['timings'];
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
