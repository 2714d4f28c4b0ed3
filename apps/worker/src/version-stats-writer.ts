import type { PredictionFinalEvent } from '@inferq/contract';
import { latencyBucket, type StatsIncrement, type VersionStatsStore } from '@inferq/predictions';
import { summarizeOutputs } from '@inferq/tensor';
import type { Logger } from '@inferq/logger';

/** Settings of the version stats writer. */
export interface VersionStatsWriterOptions {
  /** Class labels of a model version (names the `c:{class}` fields); undefined: class indexes. */
  labelsOf: (model: string, version: string) => readonly string[] | undefined;
  /** Writes that may be in flight at once; beyond it, increments are dropped (and counted). @defaultValue 64 */
  maxPendingWrites?: number;
  /**
   * How long outcomes are gathered before their increments go out as one pipeline, ms. The
   * buckets are per second and readers look at windows of seconds, so a short delay changes no
   * figure, while one write per window instead of one per batch saves a round trip and a few
   * HINCRBYs per batch (most of them under light load, where a batch is one prediction).
   * @defaultValue 200
   */
  flushIntervalMs?: number;
}

/**
 * Adds every final outcome (completed, failed, expired; not sampled) to its version's per-second
 * bucket (VersionStatsStore). Called with each batch of outcomes after they are recorded; the
 * outcomes are gathered for `flushIntervalMs`, then counted and written as one pipeline, never
 * awaited by the batch (like the prediction log writer). When Redis falls behind, at most
 * `maxPendingWrites` writes wait; later ones are dropped and counted rather than held in memory.
 */
export class VersionStatsWriter {
  readonly #store: VersionStatsStore;
  readonly #options: VersionStatsWriterOptions;
  readonly #maxPending: number;
  readonly #flushIntervalMs: number;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();
  /** Outcomes gathered since the last write, with when each batch of them ended. */
  #gathered: Array<{ events: readonly PredictionFinalEvent[]; now: number }> = [];
  #timer: NodeJS.Timeout | undefined;
  /** Outcomes counted, dropped under back-pressure, and failed writes (heartbeats, tests). */
  readonly counters = { counted: 0, dropped: 0, failedWrites: 0 };

  constructor(store: VersionStatsStore, options: VersionStatsWriterOptions, logger: Logger) {
    this.#store = store;
    this.#options = options;
    this.#maxPending = options.maxPendingWrites ?? 64;
    this.#flushIntervalMs = options.flushIntervalMs ?? 200;
    this.#logger = logger;
  }

  /** Schedules the counting of `events`; never throws, never blocks the caller. */
  record(events: readonly PredictionFinalEvent[], now: number = Date.now()): void {
    if (events.length === 0) return;
    this.#gathered.push({ events, now });
    // unref: a pending write never keeps a process alive; close() flushes.
    this.#timer ??= setTimeout(() => this.#write(), this.#flushIntervalMs).unref();
  }

  /** Writes what was gathered now, and resolves when every write has finished (shutdown, tests). */
  async flush(): Promise<void> {
    this.#write();
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  #write(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const gathered = this.#gathered;
    if (gathered.length === 0) return;
    this.#gathered = [];
    const count = gathered.reduce((n, g) => n + g.events.length, 0);
    if (this.#pending.size >= this.#maxPending) {
      this.counters.dropped += count;
      return;
    }
    const write = Promise.resolve()
      .then(() => this.#store.add(mergeIncrements(gathered.flatMap((g) => statsIncrements(g.events, g.now, this.#options.labelsOf)))))
      .then(() => { this.counters.counted += count; })
      .catch((error: Error) => {
        this.counters.failedWrites++;
        this.#logger.warn({ err: error }, 'version stats write failed');
      })
      .finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }
}

/** Sums increments of the same version and second into one (pure: unit-tested). */
export function mergeIncrements(increments: readonly StatsIncrement[]): StatsIncrement[] {
  const merged = new Map<string, StatsIncrement>();
  for (const increment of increments) {
    const key = `${increment.model}\u0000${increment.version}\u0000${increment.second}`;
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...increment, fields: new Map(increment.fields) });
      continue;
    }
    for (const [field, amount] of increment.fields) into.fields.set(field, (into.fields.get(field) ?? 0) + amount);
  }
  return [...merged.values()];
}

/** The bucket increments of a set of outcomes that ended at `now` (pure: unit-tested). */
export function statsIncrements(events: readonly PredictionFinalEvent[], now: number, labelsOf: VersionStatsWriterOptions['labelsOf']): StatsIncrement[] {
  const second = Math.floor(now / 1000);
  const byVersion = new Map<string, StatsIncrement>();
  const add = (fields: Map<string, number>, field: string, amount = 1) => fields.set(field, (fields.get(field) ?? 0) + amount);
  for (const event of events) {
    const key = `${event.model}\u0000${event.version}`;
    let increment = byVersion.get(key);
    if (!increment) byVersion.set(key, (increment = { model: event.model, version: event.version, second, fields: new Map() }));
    const { fields } = increment;
    add(fields, 'n');
    if (event.status !== 'completed') {
      add(fields, 'e');
      continue;
    }
    add(fields, `l:${latencyBucket(event.timings.totalMs ?? 0)}`);
    const outputs = event.result?.outputs;
    if (!outputs) continue;
    const labels = labelsOf(event.model, event.version);
    const summary = summarizeOutputs(outputs, labels);
    if (!summary) continue;
    summary.classes.forEach((c, r) => {
      if (c === null) return;
      add(fields, `c:${summary.labels?.[r] ?? String(c)}`);
    });
  }
  return [...byVersion.values()];
}
