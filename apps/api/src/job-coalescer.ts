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

/**
 * Producer-side coalescing: predictions for the same model version and priority that arrive in
 * the same event-loop turn share one BullMQ job (and one MULTI for their records). A lone request
 * is queued as before with no added wait; under concurrency the queue's per-job cost (add, fetch,
 * lock, complete: ~30 Redis commands) is paid once per bundle instead of once per prediction,
 * which is how throughput passes the one-job-per-request ceiling.
 */
export class JobCoalescer {
  readonly #sink: JobSink;
  readonly #maxBundle: number;
  readonly #groups = new Map<string, Waiting[]>();
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
      if (!group) this.#groups.set(key, (group = []));
      group.push({ ...pending, resolve, reject });
      if (group.length >= this.#maxBundle) {
        this.#groups.delete(key);
        this.#send(group);
      } else if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    for (const group of groups) this.#send(group);
  }

  #send(group: Waiting[]): void {
    const { resolve: _r, reject: _j, ...first } = group[0]!;
    const sent = group.length === 1 ? this.#sink.one(first) : this.#sink.many(group.map(({ resolve: _a, reject: _b, ...p }) => p));
    sent.then(() => { for (const w of group) w.resolve(); }, (error: unknown) => { for (const w of group) w.reject(error); });
  }
}
