import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  decodeFailedReason, PredictionFailure, PRIORITY_CLASSES, PREDICTION_BUNDLE_JOB_NAME, predictionQueueName,
  type PredictionError, type PredictionJobData,
} from '@inferq/contract';
import { predictionsOf } from './bundle-jobs.js';

/** One prediction handed to the worker's handler. */
export interface PredictionTask {
  data: PredictionJobData;
  /**
   * True when a failure is this prediction's last word, and the handler records it before
   * throwing. False when it rode in a coalesced job with others: a failure is then not recorded;
   * the prediction is queued again as a job of its own, which fails alone with the usual record,
   * retries and dead letter (so one bad input never fails its neighbours).
   */
  recordFailure: boolean;
}

/**
 * Handles one prediction: resolves with the rows of the batch it ran in (0 when it was not run,
 * e.g. it expired), or throws a PredictionFailure (recorded already when `recordFailure`). Any
 * other error is transient: BullMQ retries the job with back-off.
 */
export type PredictionHandler = (task: PredictionTask) => Promise<number>;

/** Queues predictions as jobs of their own, with a priority. */
export type RequeueAlone = (predictions: PredictionJobData[], priority: number) => Promise<void>;

/** The parts of a BullMQ job the processor reads. */
export type PredictionJobLike = Pick<Job, 'name' | 'data' | 'opts'>;

/**
 * Runs one BullMQ job through `handle`, prediction by prediction: a job of its own directly, a
 * bundle's members side by side (each into the micro-batcher on its own), re-queueing alone
 * those that failed, with the bundle's priority.
 */
export async function processPredictionJob(job: PredictionJobLike, handle: PredictionHandler, requeue: RequeueAlone): Promise<{ batchSize: number }> {
  if (job.name !== PREDICTION_BUNDLE_JOB_NAME) return { batchSize: await handle({ data: job.data as PredictionJobData, recordFailure: true }) };
  const members = predictionsOf(job.name, job.data);
  const results = await Promise.all(members.map(async (data) => {
    try {
      return await handle({ data, recordFailure: false });
    } catch (error) {
      if (error instanceof PredictionFailure) return 'alone' as const;
      throw error; // transient: the whole bundle is retried
    }
  }));
  const alone = members.filter((_, i) => results[i] === 'alone');
  // Every bundle job carries a priority; a job without one was added by hand, and runs as normal.
  if (alone.length > 0) await requeue(alone, job.opts.priority ?? PRIORITY_CLASSES.normal);
  return { batchSize: Math.max(0, ...results.map((r) => (r === 'alone' ? 0 : r))) };
}

/**
 * The error to record when BullMQ has given up on a job for a reason the handler did not record,
 * or undefined when there is nothing to record: BullMQ will try again, or the failure is a
 * PredictionFailure whose record the handler wrote. What is left is BullMQ's own unrecoverable
 * failure (a job stalled more than MAX_STALLED_COUNT times, i.e. the workers running it kept
 * dying) and used-up attempts of transient errors: both WORKER_FAILED.
 */
export function givenUpError(job: Pick<Job, 'attemptsMade' | 'opts'>, error: Error): PredictionError | undefined {
  if (error instanceof PredictionFailure && error.unrecoverable) return undefined;
  if (error.name === 'UnrecoverableError') {
    const decoded = decodeFailedReason(error.message);
    if (decoded.code !== 'WORKER_FAILED') return decoded;
    return { code: 'WORKER_FAILED', message: `given up without retrying: ${error.message} (the worker running it stopped too many times; see MAX_STALLED_COUNT)` };
  }
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade < attempts) return undefined;
  const last = decodeFailedReason(error.message);
  return { code: last.code === 'WORKER_FAILED' ? 'WORKER_FAILED' : last.code, message: `gave up after ${job.attemptsMade} attempts: ${last.message}` };
}

/** Options of a model's prediction worker (see the worker's config.ts for the trade-offs). */
export interface PredictionWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  requeue: RequeueAlone;
  /**
   * Predictions whose job BullMQ gave up on without their outcome recorded (see givenUpError):
   * the caller records `error` for each; they are in the dead letters and can be retried.
   */
  onGivenUp(predictions: PredictionJobData[], error: PredictionError, job: { id: string; attemptsMade: number }): void;
  /** Every failed attempt, for the log. */
  onFailed?(job: { id: string; attemptsMade: number }, error: Error, final: boolean): void;
}

/** The BullMQ worker of one model's queue, consuming predictions (bundles unpacked, see processPredictionJob). */
export function createPredictionWorker(model: string, handle: PredictionHandler, options: PredictionWorkerOptions): Worker {
  const worker = new Worker(predictionQueueName(model), (job) => processPredictionJob(job, handle, options.requeue), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const ref = { id: job.id ?? '', attemptsMade: job.attemptsMade };
    const given = givenUpError(job, error);
    const final = given !== undefined || (error instanceof PredictionFailure && error.unrecoverable);
    options.onFailed?.(ref, error, final);
    if (given) options.onGivenUp(predictionsOf(job.name, job.data), given, ref);
  });
  return worker;
}
