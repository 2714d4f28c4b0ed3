import type { InputSummary, PredictionFinalEvent, PredictionLogEntry } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import type { PredictionLog } from '@inferq/predictions';
import { summarizeInput, summarizeOutputs, type Tensor } from '@inferq/tensor';
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
 * later turn of the event loop, and the whole batch goes out as one pipelined XADD. When Redis
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
        const entries = picked.map((i) => logEntry(model, items[i]!, outcomes[i]!, events[i]!, finishedAt, this.#sampleRate));
        return this.#log.append(entries).then(() => { this.counters.written += entries.length; });
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

/** The log entry of one prediction of a batch. */
export function logEntry(model: ModelVersion, item: LoggedPrediction, outcome: ItemOutcome, event: PredictionFinalEvent, finishedAt: number, sampleRate: number): PredictionLogEntry {
  const inputs: Record<string, InputSummary> = {};
  for (const tensor of item.inputs) inputs[tensor.name] = summarizeInput(tensor, model.featureNames[tensor.name]);
  const entry: PredictionLogEntry = {
    id: event.id,
    model: event.model,
    version: event.version,
    status: event.status === 'completed' ? 'completed' : 'failed',
    createdAt: event.createdAt,
    finishedAt,
    sampleRate,
    rows: item.rows,
    worker: event.worker?.id ?? '',
    device: event.worker?.device ?? '',
    timings: event.timings,
    inputs,
  };
  if (event.error) entry.errorCode = event.error.code;
  if (event.route) entry.route = event.route;
  if (event.shadowOf) entry.shadowOf = event.shadowOf;
  if (outcome.ok) {
    const outputs = summarizeOutputs(outcome.outputs, model.labels);
    if (outputs) entry.outputs = outputs;
  }
  return entry;
}
