import { jobRouting, type PredictionError, type PredictionFinalEvent, type PredictionJobData, type PredictionTimings, type WorkerIdentity } from '@inferq/contract';
import type { Logger } from '@inferq/logger';

/** Where outcomes go: `PredictionStore.finish` (one script run per call, first final write wins). */
export interface OutcomeStore {
  finish(events: readonly PredictionFinalEvent[]): Promise<number>;
}

/** Back-off between attempts to record an outcome Redis refused. */
export interface RecordRetryOptions {
  /** First wait, ms. @defaultValue 100 */
  initialDelayMs?: number;
  /** Longest wait, ms. @defaultValue 5000 */
  maxDelayMs?: number;
}

/**
 * The one writer of prediction outcomes in a worker: batch results, failures found before a batch
 * (bad job data, a passed deadline) and failures BullMQ gave up on all go through `record`, one
 * store script run per call (one Redis round trip per batch).
 *
 * An outcome is never dropped because Redis refused the write (out of memory, restarting,
 * unreachable): `record` keeps it and tries again with exponential back-off until it is written,
 * so the job stays in hand (not failed) meanwhile. Only `close` ends the waiting: the write is
 * tried once more and, if that fails too, `record` rejects with a transient error, so BullMQ runs
 * the job again later (the store keeps the first final write, so a re-run cannot record twice).
 */
export class OutcomeRecorder {
  readonly #store: OutcomeStore;
  readonly #identity: () => WorkerIdentity;
  readonly #logger: Logger;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #wakers = new Set<() => void>();
  #closed = false;
  /** Writes refused and retried, and outcomes written after at least one refusal (heartbeats, tests). */
  readonly counters = { refusedWrites: 0, recoveredWrites: 0 };

  /** @param identity - the worker as records name it (read at each write: the device is known only after loading). */
  constructor(store: OutcomeStore, identity: () => WorkerIdentity, logger: Logger, retry: RecordRetryOptions = {}) {
    this.#store = store;
    this.#identity = identity;
    this.#logger = logger;
    this.#initialDelayMs = retry.initialDelayMs ?? 100;
    this.#maxDelayMs = retry.maxDelayMs ?? 5_000;
  }

  /** Writes final records (see the class comment); resolves once they are in Redis. */
  async record(events: readonly PredictionFinalEvent[]): Promise<void> {
    if (events.length === 0) return;
    let delay = this.#initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.finish(events);
        if (attempt > 1) {
          this.counters.recoveredWrites++;
          this.#logger.info({ predictions: events.length, attempts: attempt }, 'outcome recorded after Redis refused it');
        }
        return;
      } catch (error) {
        this.counters.refusedWrites++;
        if (this.#closed) {
          throw new Error(`worker closing: outcome of ${events.length} prediction(s) not recorded (${(error as Error).message}); the job will run again`, { cause: error });
        }
        // Warn on the first refusal and then every tenth: Redis may refuse for minutes.
        if (attempt === 1 || attempt % 10 === 0) {
          this.#logger.warn({ err: error, predictions: events.length, attempt, retryInMs: delay }, 'could not record outcome; keeping it and retrying');
        }
        await this.#wait(delay);
        delay = Math.min(this.#maxDelayMs, delay * 2);
      }
    }
  }

  /** The final record of a prediction that never reached a batch: `expired` for DEADLINE_EXCEEDED, else `failed`. */
  failedEvent(job: PredictionJobData, error: PredictionError, timings: PredictionTimings = { totalMs: Date.now() - job.createdAt }): PredictionFinalEvent {
    return {
      id: job.id, model: job.model, version: job.version, createdAt: job.createdAt, origin: job.origin, ...jobRouting(job),
      status: error.code === 'DEADLINE_EXCEEDED' ? 'expired' : 'failed',
      error: { code: error.code, message: error.message }, timings, worker: this.#identity(),
    };
  }

  /** Stops waiting between attempts: each write in hand is tried once more, then given back to BullMQ. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#wakers) wake();
    this.#wakers.clear();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }
}
