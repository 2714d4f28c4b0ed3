import type { PredictionJobData, PredictionRecord, PredictionStatus } from '@inferq/contract';
import { bundleJobId } from './bundle-jobs.js';
import type { PredictionQueues } from './prediction-queues.js';
import type { NewPrediction, PredictionRef, PredictionStore } from '@inferq/predictions';

/** One accepted prediction to queue. */
export interface PendingPrediction {
  job: PredictionJobData;
  /** Id of the API key that submitted it. */
  owner?: string | undefined;
  /** BullMQ priority (see EnqueueOptions). */
  priority: number;
  /** Claim-check bytes stored beside the record. */
  payload?: Buffer | undefined;
}

/** A dead letter holding a prediction, ready to be retried. */
export interface DeadLetter {
  /** Every prediction the failed job carries (one, or a bundle's members). */
  predictionIds: string[];
  /** Re-queues the job, attempt counters reset. */
  retry(): Promise<void>;
}

/** What a retry from the dead letters did. */
export type DeadLetterRetry =
  /** Its job is queued again (with any bundle-mates that failed). */
  | 'retried'
  /** No dead letter holds it (never failed, removed, or retried already and running). */
  | 'no-dead-letter'
  /** Its record was reopened by a retry already under way. */
  | 'retrying-already';

/**
 * The producer side of the prediction queues, in predictions: records and jobs are written
 * together, and how predictions share jobs (coalesced bundles, see PREDICTION_BUNDLE_JOB_NAME)
 * stays inside this package. The worker side is prediction-worker.ts.
 */
export class PredictionProducer {
  readonly #store: PredictionStore;
  readonly #queues: PredictionQueues;

  constructor(store: PredictionStore, queues: PredictionQueues) {
    this.#store = store;
    this.#queues = queues;
  }

  /**
   * Records predictions as `queued` and queues them: one job for one, one bundle job for several
   * (same model, version and priority; the first one's priority is used). Both commands share one
   * connection, so the records are written before the job can run; if the job cannot be added,
   * the records are removed and the error is thrown.
   */
  async queue(pending: readonly PendingPrediction[]): Promise<void> {
    if (pending.length === 0) return;
    const bundle = pending.length > 1 ? bundleJobId(pending.map((p) => p.job)) : undefined;
    const records: NewPrediction[] = pending.map(({ job, owner, payload }) => ({
      id: job.id, model: job.model, version: job.version, createdAt: job.createdAt, owner, payload, job: bundle,
    }));
    const created = this.#store.createMany(records);
    const priority = pending[0]!.priority;
    const enqueued = bundle === undefined
      ? this.#queues.enqueue(pending[0]!.job, { priority })
      : this.#queues.enqueueBundle(pending.map((p) => p.job), { priority });
    const [c, e] = await Promise.allSettled([created, enqueued]);
    if (e.status === 'rejected') {
      await Promise.all(pending.map(({ job }) => this.#store.remove(job).catch(() => {})));
      throw e.reason;
    }
    if (c.status === 'rejected') throw c.reason;
  }

  /**
   * How many predictions of `model` are `queued`. The count moves with the records, in the same
   * scripts; but a record that expired while queued, or whose job was never added (the API died
   * in between), would hold it up for ever: with no job left that could carry a queued
   * prediction, it starts again from 0.
   */
  async queuedCount(model: string): Promise<number> {
    const [queued, jobs] = await Promise.all([this.#store.queuedCount(model), this.#queues.depth(model)]);
    if (queued > 0 && jobs.waiting + jobs.prioritized + jobs.delayed + jobs.active === 0) {
      await this.#store.resetQueuedCount(model);
      return 0;
    }
    return queued;
  }

  /**
   * The dead letter holding a prediction: its own failed job (alone, or re-queued alone out of a
   * bundle), else the failed bundle it came in; undefined when neither is kept as failed.
   */
  async deadLetterOf({ id, model }: PredictionRef): Promise<DeadLetter | undefined> {
    let job = await this.#queues.failedJob(model, id);
    if (!job) {
      const bundle = await this.#store.jobOf(id);
      if (bundle) job = await this.#queues.failedJob(model, bundle);
    }
    return job && job.predictionIds.includes(id) ? job : undefined;
  }

  /**
   * Re-queues the dead letter holding a prediction, attempts reset. A failed prediction goes back
   * to `queued` first, so its new outcome is written and announced like a first one; one still
   * `queued`/`running` (its failure was never recorded) is re-queued as it is. A prediction that
   * failed inside a bundle is retried with the bundle: the bundle's other failed predictions are
   * reopened too, completed ones keep their result. When BullMQ refuses the retry, the reopened
   * records are put back as they were and its error is thrown.
   */
  async retry(prediction: PredictionRef & { status: PredictionStatus }): Promise<DeadLetterRetry> {
    const job = await this.deadLetterOf(prediction);
    if (!job) return 'no-dead-letter';
    const before = await this.#store.getMany(job.predictionIds);
    const reopened: string[] = [];
    for (const id of job.predictionIds) if ((await this.#store.reopen({ id, model: prediction.model })) === 'failed') reopened.push(id);
    if (prediction.status === 'failed' && !reopened.includes(prediction.id)) return 'retrying-already';
    try {
      await job.retry();
    } catch (error) {
      const restore = before.filter((r): r is PredictionRecord => r !== undefined && reopened.includes(r.id)).map(({ owner: _owner, ...r }) => r);
      await this.#store.finish(restore).catch(() => {});
      throw error;
    }
    return 'retried';
  }
}
