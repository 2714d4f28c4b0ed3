import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { PREDICTION_BUNDLE_JOB_NAME, PREDICTION_JOB_NAME, predictionQueueName, type PredictionBundleData, type PredictionJobData } from '@inferq/contract';
import { bundleJobId, predictionsOf } from './bundle-jobs.js';

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

/** Options of one enqueue. */
export interface EnqueueOptions {
  /**
   * BullMQ priority, 1 (first) … 2 097 152; lower runs first, FIFO within one value. Every
   * prediction job carries one: BullMQ serves jobs without a priority before all prioritized
   * ones, so an unprioritized default would overtake "high" work. (Cost: a ZADD instead of an
   * LPUSH inside the same add script; no extra round trip.)
   */
  priority: number;
}


/** One prediction of a dead letter: a failed job, kept (bounded by PREDICTION_JOB_OPTIONS.removeOnFail) for inspection and retry. */
export interface FailedJob {
  /** The prediction id. */
  id: string;
  /** The BullMQ job id: the prediction id, or its bundle's. */
  job: string;
  version: string;
  /** BullMQ's failed reason: `CODE: message` for errors raised by the worker. */
  failedReason: string;
  attemptsMade: number;
  /** Epoch ms of the failure. */
  failedAt: number;
}

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
  readonly #onError: (error: Error, model: string) => void;

  /**
   * @param onError - a Queue's 'error' events (connection trouble, failed commands); requests see
   *   the failure too (503), this is for the log. Never dropped: without a listener Node would
   *   crash the process on the first one.
   */
  constructor(connection: Redis, prefix: string, onError: (error: Error, model: string) => void) {
    this.#connection = connection;
    this.#prefix = prefix;
    this.#onError = onError;
  }

  /** The queue of `model`, created on first use. */
  queue(model: string): Queue {
    let queue = this.#queues.get(model);
    if (!queue) {
      queue = new Queue(predictionQueueName(model), { connection: this.#connection, prefix: this.#prefix });
      queue.on('error', (error) => this.#onError(error, model));
      this.#queues.set(model, queue);
    }
    return queue;
  }

  /** Adds one prediction job (job id = prediction id). */
  async enqueue(data: PredictionJobData, options: EnqueueOptions): Promise<void> {
    await this.queue(data.model).add(PREDICTION_JOB_NAME, data, { ...PREDICTION_JOB_OPTIONS, jobId: data.id, priority: options.priority });
  }

  /** Adds one bundle job carrying several predictions of one model (see PREDICTION_BUNDLE_JOB_NAME). */
  async enqueueBundle(bundle: PredictionJobData[], options: EnqueueOptions): Promise<void> {
    const data: PredictionBundleData = { bundle };
    await this.queue(bundle[0]!.model).add(PREDICTION_BUNDLE_JOB_NAME, data, { ...PREDICTION_JOB_OPTIONS, jobId: bundleJobId(bundle), priority: options.priority });
  }

  /**
   * The newest `limit` failed jobs of a model's queue, one entry per prediction they carry (a
   * bundle job lists each of its predictions), and how many failed jobs it holds in all.
   */
  async failed(model: string, limit: number): Promise<{ total: number; jobs: FailedJob[] }> {
    const queue = this.queue(model);
    const [jobs, total] = await Promise.all([queue.getFailed(0, Math.max(0, limit - 1)), queue.getFailedCount()]);
    return {
      total,
      jobs: jobs.filter((job) => job !== undefined && job !== null).flatMap((job) => predictionsOf(job.name, job.data).map((p) => ({
        id: p.id,
        job: job.id ?? '',
        version: p.version,
        failedReason: job.failedReason ?? '',
        attemptsMade: job.attemptsMade,
        failedAt: job.finishedOn ?? job.processedOn ?? job.timestamp,
      }))),
    };
  }

  /**
   * The failed job `jobId` of `model`, with the predictions it carries and a function that
   * re-queues it (attempt counters reset); undefined when there is no such job or it is not failed
   * (waiting, running, completed, removed).
   */
  async failedJob(model: string, jobId: string): Promise<{ predictionIds: string[]; retry(): Promise<void> } | undefined> {
    const job = await this.queue(model).getJob(jobId);
    if (!job || (await job.getState()) !== 'failed') return undefined;
    return {
      predictionIds: predictionsOf(job.name, job.data).map((p) => p.id),
      retry: () => job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }),
    };
  }

  /** Current depth of a model's queue. */
  async depth(model: string): Promise<QueueDepth> {
    const counts = await this.queue(model).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, prioritized: counts.prioritized ?? 0 };
  }

  /**
   * Predictions of one version still in the model's queue (waiting, prioritized, delayed for a
   * retry, or running): what an unload must let finish before a worker releases the version.
   * Reads at most `maxJobs` jobs, in pages; past that it answers with what it counted plus one
   * (still busy), so a huge backlog costs a bounded read per call.
   * @param maxJobs - @defaultValue 20000
   */
  async versionBacklog(model: string, version: string, maxJobs = 20_000): Promise<number> {
    const queue = this.queue(model);
    const PAGE = 500;
    let count = 0;
    let read = 0;
    // One type at a time: BullMQ applies start/end to each type's list separately.
    for (const type of ['waiting', 'prioritized', 'delayed', 'active'] as const) {
      for (let start = 0; read < maxJobs; start += PAGE) {
        const jobs = await queue.getJobs([type], start, start + PAGE - 1, true);
        read += jobs.length;
        for (const job of jobs) {
          if (job) count += predictionsOf(job.name, job.data).filter((p) => p.version === version).length;
        }
        if (jobs.length < PAGE) break;
      }
      if (read >= maxJobs) return count + 1;
    }
    return count;
  }

  /** Closes every queue (the shared connection stays with its owner). Safe to call twice. */
  async close(): Promise<void> {
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.allSettled(queues.map((q) => q.close()));
  }
}
