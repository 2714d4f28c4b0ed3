import type { Redis } from 'ioredis';
import {
  InferqError, isErrorCode, newPredictionId, FINAL_STATUSES,
  type ErrorCode, type PredictionAccepted, type PredictionJobData, type PredictionRecord, type RedisKeys,
} from '@inferq/contract';
import type { ModelRepository } from '@inferq/model-repository';
import { binarySectionOf } from './binary-body.js';
import { JobCoalescer, type JobSink, type PendingJob } from './job-coalescer.js';
import { bundleJobId, type PredictionEvents, type PredictionQueues, type PredictionStore } from '@inferq/queue';
import { encodeTensorsForJob, validateInferenceRequest, type ValidationLimits } from '@inferq/tensor';
import { QueueAdmission } from './queue-admission.js';
import { readRequestOptions } from './request-options.js';
import { redisCall } from './redis-call.js';

/** Everything the service needs, injected so tests can build it around their own Redis. */
export interface PredictionServiceDeps {
  repository: ModelRepository;
  redis: Redis;
  queues: PredictionQueues;
  store: PredictionStore;
  events: PredictionEvents;
  limits: ValidationLimits;
  /** Id of this API process, carried in jobs so its metrics count only its own requests. */
  origin: string;
  enqueueTimeoutMs: number;
  /** `CLAIM_CHECK_BYTES`: requests with more tensor bytes keep them in a Redis key of their own, not in the job (0 = never). @defaultValue 0 */
  claimCheckBytes?: number;
  /** Redis key builders (claim-check payload keys). */
  keys: RedisKeys;
  /** `COALESCE_MAX_PREDICTIONS`: most predictions one queue job may carry (1 = one job each). @defaultValue 1 */
  coalesceMaxPredictions?: number;
  /** `MAX_QUEUE_SIZE`: queue bound of models whose config sets no `maxQueueSize`. */
  maxQueueSize: number;
  /** `DEFAULT_TIMEOUT_MS`: deadline of requests that name none; 0 = none. */
  defaultTimeoutMs: number;
}

/** One dead letter as the API lists it. */
export interface FailedPrediction {
  id: string;
  /** The failed BullMQ job: the prediction id, or its bundle's (retrying one retries the bundle). */
  job: string;
  version: string;
  error: { code: ErrorCode; message: string };
  attemptsMade: number;
  /** Epoch ms. */
  failedAt: number;
}

/** Options of one submission. */
export interface SubmitOptions {
  /** Id of the API key submitting it (stored as the prediction's `owner`); absent with access control off. */
  owner?: string;
  /** The `Request-Timeout-Ms` header as received (milliseconds; with `parameters.timeout_ms` the shorter wins). */
  timeoutHeader?: string | string[];
}

/**
 * The transport-free core of the producer: validate → enqueue, read, wait for a final result.
 * REST, v2 and WebSocket routes are thin adapters over it.
 */
export class PredictionService {
  readonly #deps: PredictionServiceDeps;
  readonly #admission: QueueAdmission;
  readonly #coalescer: JobCoalescer;
  /** Resolves when the process shuts down: pending long-polls answer at once instead of holding it up. */
  readonly #released: Promise<void>;
  #release!: () => void;

  constructor(deps: PredictionServiceDeps) {
    this.#deps = deps;
    this.#coalescer = new JobCoalescer(queueSink(deps.store, deps.queues), deps.coalesceMaxPredictions ?? 1);
    // Predictions, not BullMQ jobs: a coalesced bundle job holds many (see PredictionStore).
    this.#admission = new QueueAdmission(async (model) => {
      const [queued, jobs] = await Promise.all([deps.store.queuedCount(model), deps.queues.depth(model)]);
      // The count moves with the records, in the same scripts; but a record that expired while
      // queued, or whose job was never added (the API died in between), would hold it up for
      // ever. With no job left that could carry a queued prediction, it starts again from 0.
      if (queued > 0 && jobs.waiting + jobs.prioritized + jobs.delayed + jobs.active === 0) {
        await deps.store.resetQueuedCount(model);
        return 0;
      }
      return queued;
    });
    this.#released = new Promise((resolve) => { this.#release = resolve; });
  }

  /**
   * Validates a v2 request against the model version and queues it.
   * @param id - the prediction id; pre-generate it to start listening for the result before the job exists.
   */
  async submit(model: string, version: string | undefined, body: unknown, id: string = newPredictionId(), options: SubmitOptions = {}): Promise<PredictionAccepted> {
    const target = this.#deps.repository.resolve(model, version);
    const request = validateInferenceRequest(body, target, this.#deps.limits, binarySectionOf(body));
    const { inputs, payload } = encodeTensorsForJob(request.inputs, this.#deps.claimCheckBytes ?? 0);
    const job: PredictionJobData = {
      id,
      model: target.name,
      version: target.version,
      inputs,
      createdAt: Date.now(),
      origin: this.#deps.origin,
    };
    if (payload) job.payloadKey = this.#deps.keys.payload(id);
    if (request.requestId !== undefined) job.requestId = request.requestId;
    if (request.outputs !== undefined) job.outputs = request.outputs;
    const scheduling = readRequestOptions(body, options.timeoutHeader, this.#deps.defaultTimeoutMs);
    if (scheduling.timeoutMs !== undefined) job.deadline = job.createdAt + scheduling.timeoutMs;

    await this.#redisCall(async () => {
      // Usually no Redis work: the depth is cached briefly (see QueueAdmission).
      const release = await this.#admission.admit(job.model, target.maxQueueSize ?? this.#deps.maxQueueSize);
      try {
        await this.#coalescer.submit({ job, owner: options.owner, priority: scheduling.priority, payload });
      } catch (error) {
        release();
        throw error;
      }
    });
    return { id, status: 'queued', model: job.model, version: job.version };
  }

  /**
   * The current state of a prediction; throws PREDICTION_NOT_FOUND.
   * @param viewer - when given, only a prediction this API key submitted (or one without an owner)
   *   is found; anyone else's answers PREDICTION_NOT_FOUND too, so ids of others do not leak.
   */
  async get(id: string, viewer?: string): Promise<PredictionRecord> {
    const stored = await this.#redisCall(() => this.#deps.store.get(id));
    if (!stored || (viewer !== undefined && stored.owner !== undefined && stored.owner !== viewer)) {
      throw new InferqError('PREDICTION_NOT_FOUND', `prediction "${id}" does not exist or its result has expired`);
    }
    const { owner: _owner, ...record } = stored;
    return record;
  }

  /**
   * The current states of several predictions in one Redis round trip, in order; undefined where
   * {@link get} would throw PREDICTION_NOT_FOUND (unknown, expired, or not visible to `viewer`).
   */
  async getMany(ids: readonly string[], viewer?: string): Promise<Array<PredictionRecord | undefined>> {
    const stored = await this.#redisCall(() => this.#deps.store.getMany(ids));
    return stored.map((record) => {
      if (!record || (viewer !== undefined && record.owner !== undefined && record.owner !== viewer)) return undefined;
      const { owner: _owner, ...visible } = record;
      return visible;
    });
  }

  /**
   * Waits up to `timeoutMs` for a prediction to end; returns its state then (final or not).
   * `viewer` restricts it as in {@link get}.
   * Event-driven: one in-process listener on the shared subscriber, no polling.
   */
  async waitForFinal(id: string, timeoutMs: number, viewer?: string): Promise<PredictionRecord> {
    let resolveEvent!: (record: PredictionRecord) => void;
    const event = new Promise<PredictionRecord>((resolve) => { resolveEvent = resolve; });
    const stop = this.#deps.events.onFinal(id, ({ origin: _origin, ...record }) => resolveEvent(record));
    let timer: NodeJS.Timeout | undefined;
    try {
      const current = await this.get(id, viewer); // after listening, so a result written in between is not missed
      if (FINAL_STATUSES.has(current.status) || timeoutMs <= 0) return current;
      const timeout = new Promise<PredictionRecord>((resolve) => {
        timer = setTimeout(() => resolve(current), timeoutMs);
      });
      const winner = await Promise.race([event, timeout, this.#released.then(() => current)]);
      // On timeout, read once more: the status may have moved from queued to running.
      return FINAL_STATUSES.has(winner.status) ? winner : await this.get(id, viewer);
    } finally {
      clearTimeout(timer);
      stop();
    }
  }

  /** Answers every pending and future long-poll at once with its current state (called on shutdown). */
  releaseWaits(): void {
    this.#release();
  }

  /**
   * The newest `limit` dead letters of a model: failed jobs kept for inspection and retry.
   * Throws MODEL_NOT_FOUND.
   */
  async listFailed(model: string, limit: number): Promise<{ model: string; total: number; failed: FailedPrediction[] }> {
    const name = this.#deps.repository.resolve(model).name;
    const { total, jobs } = await this.#redisCall(() => this.#deps.queues.failed(name, limit));
    return {
      model: name,
      total,
      failed: jobs.map((job) => ({
        id: job.id, job: job.job, version: job.version, error: errorFromReason(job.failedReason), attemptsMade: job.attemptsMade, failedAt: job.failedAt,
      })),
    };
  }

  /**
   * Re-queues a failed prediction with its original input (its dead-letter job), attempts reset.
   * The record goes back to `queued` before the job can run, so its new outcome is written and
   * announced like any first one. A prediction that failed inside a bundle job is retried with
   * the bundle: its other failed predictions are reopened too; completed ones keep their result.
   * Throws PREDICTION_NOT_FOUND, or PREDICTION_NOT_RETRYABLE when it is not failed or its job is
   * no longer kept.
   */
  async retry(id: string): Promise<PredictionAccepted> {
    const record = await this.get(id);
    const notRetryable = (why: string) => new InferqError('PREDICTION_NOT_RETRYABLE', `prediction "${id}" cannot be retried: ${why}`);
    if (record.status !== 'failed') throw notRetryable(`it is ${record.status}; only failed predictions can be retried`);
    await this.#redisCall(async () => {
      const { queues, store } = this.#deps;
      // Its own job (alone, or re-queued alone out of a bundle), else the bundle it came in.
      let job = await queues.failedJob(record.model, id);
      const bundle = job ? undefined : await store.jobOf(id);
      if (bundle) job = await queues.failedJob(record.model, bundle);
      if (!job || !job.predictionIds.includes(id)) throw notRetryable('its job is no longer kept as a dead letter (or is being retried already)');
      const before = await store.getMany(job.predictionIds);
      const reopened: string[] = [];
      for (const pid of job.predictionIds) if ((await store.reopen(pid)) === 'failed') reopened.push(pid);
      if (!reopened.includes(id)) throw notRetryable('it is being retried already');
      try {
        await job.retry();
      } catch (error) {
        // Put the failed records back as they were.
        const restore = before.filter((r): r is PredictionRecord => r !== undefined && reopened.includes(r.id)).map(({ owner: _owner, ...r }) => r);
        await store.finish(restore).catch(() => {});
        throw notRetryable(`BullMQ refused: ${(error as Error).message}`);
      }
    });
    return { id, status: 'queued', model: record.model, version: record.version };
  }

  /** True when Redis answers. */
  async redisReady(): Promise<boolean> {
    if (this.#deps.redis.status !== 'ready') return false;
    try {
      return (await withTimeout(this.#deps.redis.ping(), 1_000)) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Runs a Redis operation; connection trouble becomes QUEUE_UNAVAILABLE (503), never a hang. */
  #redisCall<T>(operation: () => Promise<T>): Promise<T> {
    return redisCall(this.#deps.redis, this.#deps.enqueueTimeoutMs, operation);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** BullMQ failed reasons of our own errors read `CODE: message`; anything else failed outside the input. */
function errorFromReason(reason: string): { code: ErrorCode; message: string } {
  const code = /^([A-Z][A-Z0-9_]*): /.exec(reason)?.[1];
  return isErrorCode(code) ? { code, message: reason.slice(code.length + 2) } : { code: 'WORKER_FAILED', message: reason };
}

/**
 * Writes records and jobs. Both commands of a submission share one connection, so the records
 * are written before the job can run; if the job cannot be added, its records are removed.
 */
function queueSink(store: PredictionStore, queues: PredictionQueues): JobSink {
  const settle = async (created: Promise<void>, enqueued: Promise<void>, ids: string[]) => {
    const [c, e] = await Promise.allSettled([created, enqueued]);
    if (e.status === 'rejected') {
      await Promise.all(ids.map((id) => store.remove(id).catch(() => {})));
      throw e.reason;
    }
    if (c.status === 'rejected') throw c.reason;
  };
  const recordOf = ({ job, owner, payload }: PendingJob, bundle?: string) =>
    ({ id: job.id, model: job.model, version: job.version, createdAt: job.createdAt, owner, payload, job: bundle });
  return {
    one: (p) => settle(store.create(recordOf(p)), queues.enqueue(p.job, { priority: p.priority }), [p.job.id]),
    many: (ps) => {
      const bundle = bundleJobId(ps.map((p) => p.job));
      return settle(store.createMany(ps.map((p) => recordOf(p, bundle))), queues.enqueueBundle(ps.map((p) => p.job), { priority: ps[0]!.priority }), ps.map((p) => p.job.id));
    },
  };
}
