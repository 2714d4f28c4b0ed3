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
}

/** The predictions of one model version and priority that wait for their bundle to be sent. */
interface Group {
  waiting: Waiting[];
  /** Bundles of this group being written to Redis now. */
  inFlight: number;
}

/**
 * Producer-side coalescing: predictions for the same model version and priority share one BullMQ
 * job (and one MULTI for their records) when they arrive together. Two ways count as together:
 *
 * - the same event-loop turn (flushed on `setImmediate`), which is how one WebSocket read or one
 *   `/v2` batch of requests becomes one job;
 * - while an earlier bundle of the same group is still being written: what arrives meanwhile waits
 *   for that write to answer and then goes as the next bundle. This is Nagle's algorithm without
 *   its timer: a lone request is never held (nothing is in flight), and under concurrency (REST
 *   clients each on their own connection, whose requests rarely land in one turn) the queue's
 *   per-job cost (add, fetch, lock, complete: ~30 Redis commands) is paid once per bundle instead
 *   of once per prediction. The wait it can add is one enqueue round trip.
 *
 * A bundle never holds more than `maxBundle` predictions: a full group is sent at once.
 */
export class JobCoalescer {
  readonly #sink: JobSink;
  readonly #maxBundle: number;
  readonly #groups = new Map<string, Group>();
  #flushScheduled = false;

  /** @param maxBundle - most predictions per job; 1 turns coalescing off. */
  constructor(sink: JobSink, maxBundle: number) {
    this.#sink = sink;
    this.#maxBundle = Math.max(1, maxBundle);
  }

  /** Resolves once the prediction (alone or in a bundle) is in Redis. */
  submit(pending: PendingJob): Promise<void> {
    if (this.#maxBundle === 1) return this.#sink.one(pending);
    return new Promise<void>((resolve, reject) => {
      const key = `${pending.job.model}\u0000${pending.job.version}\u0000${pending.priority}`;
      let group = this.#groups.get(key);
      if (!group) this.#groups.set(key, (group = { waiting: [], inFlight: 0 }));
      group.waiting.push({ ...pending, resolve, reject });
      if (group.waiting.length >= this.#maxBundle) this.#send(key, group);
      else if (group.inFlight === 0 && !this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
      // else: sent when the bundle in flight answers (or at this turn's flush if one is scheduled).
    });
  }

  /** End of turn: sends every group with nothing in flight (the others go when theirs answers). */
  #flush(): void {
    this.#flushScheduled = false;
    for (const [key, group] of this.#groups) {
      if (group.inFlight === 0 && group.waiting.length > 0) this.#send(key, group);
    }
  }

  #send(key: string, group: Group): void {
    const bundle = group.waiting;
    group.waiting = [];
    group.inFlight++;
    const { resolve: _r, reject: _j, ...first } = bundle[0]!;
    const sent = bundle.length === 1 ? this.#sink.one(first) : this.#sink.many(bundle.map(({ resolve: _a, reject: _b, ...p }) => p));
    const settle = () => {
      group.inFlight--;
      if (group.inFlight === 0) {
        if (group.waiting.length > 0) this.#send(key, group);
        else this.#groups.delete(key);
      }
    };
    sent.then(() => {
      settle();
      for (const w of bundle) w.resolve();
    }, (error: unknown) => {
      settle();
      for (const w of bundle) w.reject(error);
    });
  }
}
