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
   * How long outcomes gather before they are counted and written, ms: one pipeline of HINCRBYs
   * (summed per version and second) + EXPIRE per interval instead of per batch, which at REST
   * rates (batches of one or two) was ~3 Redis commands per prediction. The live figures lag by
   * as much; readers sum whole seconds. 0: a write per batch, as before. @defaultValue 100
   */
  flushIntervalMs?: number;
}

/**
 * Adds every final outcome (completed, failed, expired; not sampled) to its version's per-second
 * bucket (VersionStatsStore). Called with each batch of outcomes after they are recorded; the
 * batches of one `flushIntervalMs` are counted together on a timer and go out as one pipeline,
 * never awaited by a batch (like the prediction log writer). When Redis falls behind, at most
 * `maxPendingWrites` writes wait; later ones are dropped and counted rather than held in memory.
 */
export class VersionStatsWriter {
  readonly #store: VersionStatsStore;
  readonly #options: VersionStatsWriterOptions;
  readonly #maxPending: number;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();
  readonly #flushIntervalMs: number;
  /** Outcomes waiting for the next write, with the time each batch of them ended. */
  #gathered: { events: readonly PredictionFinalEvent[]; now: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Outcomes counted, dropped under back-pressure, and failed writes (heartbeats, tests). */
  readonly counters = { counted: 0, dropped: 0, failedWrites: 0 };

  constructor(store: VersionStatsStore, options: VersionStatsWriterOptions, logger: Logger) {
    this.#store = store;
    this.#options = options;
    this.#maxPending = options.maxPendingWrites ?? 64;
    this.#flushIntervalMs = options.flushIntervalMs ?? 100;
    this.#logger = logger;
  }

  /** Schedules the counting of `events`; never throws, never blocks the caller. */
  record(events: readonly PredictionFinalEvent[], now: number = Date.now()): void {
    if (events.length === 0) return;
    this.#gathered.push({ events, now });
    if (this.#timer) return;
    const write = () => {
      this.#timer = undefined;
      this.#write();
    };
    // A timer even at 0: the counting stays off the batch's turn of the event loop.
    this.#timer = setTimeout(write, this.#flushIntervalMs);
    this.#timer.unref();
  }

  /** Writes what was gathered: one pipeline, increments summed per version and second. */
  #write(): void {
    const gathered = this.#gathered;
    this.#gathered = [];
    const outcomes = gathered.reduce((n, g) => n + g.events.length, 0);
    if (outcomes === 0) return;
    if (this.#pending.size >= this.#maxPending) {
      this.counters.dropped += outcomes;
      return;
    }
    const write = Promise.resolve()
      .then(() => this.#store.add(mergeIncrements(gathered.flatMap((g) => statsIncrements(g.events, g.now, this.#options.labelsOf)))))
      .then(() => { this.counters.counted += outcomes; })
      .catch((error: Error) => {
        this.counters.failedWrites++;
        this.#logger.warn({ err: error }, 'version stats write failed');
      })
      .finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }

  /** Writes what is gathered now and resolves when every write has finished (shutdown, tests). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#write();
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/** Increments of the same version and second summed into one (pure: unit-tested). */
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
