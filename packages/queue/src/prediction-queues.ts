import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { PREDICTION_JOB_NAME, predictionQueueName, type PredictionJobData } from '@inferq/contract';

/**
 * Job options of every prediction job.
 * - Completed jobs are removed at once: results live in the prediction store, not in BullMQ.
 * - Failed jobs are kept a week (bounded in count) as dead letters to inspect and retry.
 * - Attempts/backoff cover transient failures (Redis blips, a worker killed mid-batch);
 *   input errors are thrown as UnrecoverableError by the worker and never retried.
 */
export const PREDICTION_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  attempts: 3,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
});

/** Waiting/active/delayed counts of a model's queue. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  prioritized: number;
}

/** Producer side of the per-model prediction queues (BullMQ `Queue`s sharing one connection). */
export class PredictionQueues {
  readonly #connection: Redis;
  readonly #prefix: string;
  readonly #queues = new Map<string, Queue>();

  constructor(connection: Redis, prefix: string) {
    this.#connection = connection;
    this.#prefix = prefix;
  }

  /** The queue of `model`, created on first use. */
  queue(model: string): Queue {
    let queue = this.#queues.get(model);
    if (!queue) {
      queue = new Queue(predictionQueueName(model), { connection: this.#connection, prefix: this.#prefix });
      // A Queue emits 'error' on connection trouble; the API reports that per request (503), so
      // an unhandled 'error' event must not crash the process.
      queue.on('error', () => {});
      this.#queues.set(model, queue);
    }
    return queue;
  }

  /** Adds one prediction job (job id = prediction id). */
  async enqueue(data: PredictionJobData): Promise<void> {
    await this.queue(data.model).add(PREDICTION_JOB_NAME, data, { ...PREDICTION_JOB_OPTIONS, jobId: data.id });
  }

  /** Current depth of a model's queue. */
  async depth(model: string): Promise<QueueDepth> {
    const counts = await this.queue(model).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, prioritized: counts.prioritized ?? 0 };
  }

  /** Closes every queue (the shared connection stays with its owner). Safe to call twice. */
  async close(): Promise<void> {
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.allSettled(queues.map((q) => q.close()));
  }
}
