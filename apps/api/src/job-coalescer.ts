import type { PendingPrediction } from '@inferq/queue';

/** One accepted prediction waiting to be queued. */
export type PendingJob = PendingPrediction;

/** Queues jobs: one alone, or several as one bundle job. Both write the prediction records too. */
export interface JobSink {
  one(pending: PendingJob): Promise<void>;
  many(pending: PendingJob[]): Promise<void>;
}

interface Waiting extends PendingJob {
  resolve: () => void;
  reject: (error: unknown) => void;
  /** When it was submitted (ms since the epoch), to drop it once its caller has given up. */
  at: number;
}

/** Thrown for a prediction held past `holdLimitMs`: its caller gave up, so it is not queued. */
export class HoldExpiredError extends Error {}

/**
 * Producer-side coalescing: predictions for the same model version and priority share one BullMQ
 * job (and one MULTI for their records). Under concurrency the queue's per-job cost (add, fetch,
 * lock, complete: ~30 Redis commands) is paid once per bundle instead of once per prediction,
 * which is how throughput passes the one-job-per-request ceiling.
 *
 * A bundle takes what arrived in the same event-loop turn, and (group commit) what arrived while
 * the previous bundle of its model version and priority was being written: at most one enqueue
 * per key is under way, unless a bundle fills up. A lone request is queued at once, as before;
 * under load a request waits at most one enqueue round trip, and requests that arrive one per
 * turn (REST: each HTTP request is read in a turn of its own) still share jobs.
 */
export class JobCoalescer {
  readonly #sink: JobSink;
  readonly #maxBundle: number;
  readonly #holdLimitMs: number;
  readonly #groups = new Map<string, Waiting[]>();
  /** Enqueues under way per key. */
  readonly #inFlight = new Map<string, number>();
  #flushScheduled = false;

  /**
   * @param maxBundle - most predictions per job; 1 turns coalescing off.
   * @param holdLimitMs - a prediction still held this long after it was submitted is not queued
   *   but rejected with HoldExpiredError: its caller has answered 503 already (the enqueue
   *   timeout), so queueing it would run a prediction nobody was told about. @defaultValue Infinity
   */
  constructor(sink: JobSink, maxBundle: number, holdLimitMs = Number.POSITIVE_INFINITY) {
    this.#sink = sink;
    this.#maxBundle = Math.max(1, maxBundle);
    this.#holdLimitMs = holdLimitMs;
  }

  /** Resolves once the prediction (alone or in a bundle) is in Redis. */
  submit(pending: PendingJob): Promise<void> {
    if (this.#maxBundle === 1) return this.#sink.one(pending);
    return new Promise<void>((resolve, reject) => {
      const key = `${pending.job.model}\u0000${pending.job.version}\u0000${pending.priority}`;
      let group = this.#groups.get(key);
      if (!group) this.#groups.set(key, (group = []));
      group.push({ ...pending, resolve, reject, at: Date.now() });
      if (group.length >= this.#maxBundle) {
        this.#groups.delete(key);
        this.#send(key, group);
      } else if (!this.#flushScheduled && !this.#inFlight.has(key)) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
      // Otherwise it goes with the next bundle, when the enqueue under way for its key settles.
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const [key, group] of this.#groups) {
      if (this.#inFlight.has(key)) continue;
      this.#groups.delete(key);
      this.#send(key, group);
    }
  }

  #send(key: string, held: Waiting[]): void {
    const group = this.#dropExpired(held);
    if (group.length === 0) return;
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    const { resolve: _r, reject: _j, at: _t, ...first } = group[0]!;
    const sent = group.length === 1 ? this.#sink.one(first) : this.#sink.many(group.map(({ resolve: _a, reject: _b, at: _c, ...p }) => p));
    const settled = () => {
      const left = this.#inFlight.get(key)! - 1;
      if (left > 0) {
        this.#inFlight.set(key, left);
        return;
      }
      this.#inFlight.delete(key);
      // What arrived meanwhile goes now, as one bundle.
      const next = this.#groups.get(key);
      if (next) {
        this.#groups.delete(key);
        this.#send(key, next);
      }
    };
    sent.then(() => {
      for (const w of group) w.resolve();
      settled();
    }, (error: unknown) => {
      for (const w of group) w.reject(error);
      settled();
    });
  }

  #dropExpired(group: Waiting[]): Waiting[] {
    if (this.#holdLimitMs === Number.POSITIVE_INFINITY) return group;
    const oldest = Date.now() - this.#holdLimitMs;
    if (group[0]!.at > oldest) return group; // in arrival order: none expired
    return group.filter((w) => {
      if (w.at > oldest) return true;
      w.reject(new HoldExpiredError(`held ${this.#holdLimitMs} ms behind the enqueue under way; not queued`));
      return false;
    });
  }
}
