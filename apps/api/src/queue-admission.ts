import { InferqError } from '@inferq/contract';

/** Reads how many predictions of a model wait in its queue (`queued`: not yet taken by a worker). */
export type QueueDepthReader = (model: string) => Promise<number>;

interface DepthEntry {
  depth: number;
  /** Predictions this process admitted since `depth` was read. */
  admitted: number;
  readAt: number;
}

/**
 * Bounded queues without a Redis round trip per submit: a model's depth is read at most once per
 * `refreshMs` (requests arriving meanwhile share that one read) and the predictions this process
 * admitted since are counted on top. At 1000 submits/s and the default 100 ms that is one read
 * (the model's `queued` count and its job counts, see PredictionService) per ~100 submits instead
 * of one per submit.
 *
 * One API process keeps to the bound (the read goes over the connection its enqueues use, after
 * them, so it counts them). Several replicas each count only their own admissions, so together
 * they can overshoot by what the others admit within one refresh interval; memory stays bounded
 * all the same.
 */
export class QueueAdmission {
  readonly #read: QueueDepthReader;
  readonly #refreshMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, DepthEntry>();
  readonly #reading = new Map<string, Promise<DepthEntry>>();

  /**
   * @param read - the depth query (one Redis round trip).
   * @param refreshMs - how old a depth may be before it is read again. @defaultValue 100
   * @param now - clock, for tests.
   */
  constructor(read: QueueDepthReader, refreshMs = 100, now: () => number = Date.now) {
    this.#read = read;
    this.#refreshMs = refreshMs;
    this.#now = now;
  }

  /**
   * Takes a slot in `model`'s queue or throws QUEUE_FULL when it holds `limit` predictions.
   * Returns the function that gives the slot back when the enqueue then fails.
   */
  async admit(model: string, limit: number): Promise<() => void> {
    let entry = this.#entries.get(model);
    if (!entry || this.#now() - entry.readAt >= this.#refreshMs) entry = await this.#refresh(model);
    if (entry.depth + entry.admitted >= limit) {
      throw new InferqError('QUEUE_FULL', `the queue of model "${model}" holds its maximum of ${limit} waiting predictions; retry later`);
    }
    entry.admitted++;
    const admittedIn = entry;
    let released = false;
    return () => {
      // Only the reading it was counted against; a newer reading never saw the failed job.
      if (released || this.#entries.get(model) !== admittedIn) return;
      released = true;
      admittedIn.admitted = Math.max(0, admittedIn.admitted - 1);
    };
  }

  #refresh(model: string): Promise<DepthEntry> {
    let reading = this.#reading.get(model);
    if (!reading) {
      reading = this.#read(model).then((depth) => {
        const entry = { depth, admitted: 0, readAt: this.#now() };
        this.#entries.set(model, entry);
        return entry;
      }).finally(() => this.#reading.delete(model));
      this.#reading.set(model, reading);
    }
    return reading;
  }
}
