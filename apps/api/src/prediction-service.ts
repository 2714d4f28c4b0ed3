import type { Redis } from 'ioredis';
import {
  decodeFailedReason, InferqError, newPredictionId, FINAL_STATUSES, SHADOW_PRIORITY,
  type DeadLetterList, type TrafficRoute, type PredictionAccepted, type PredictionJobData, type PredictionRecord, type RedisKeys,
} from '@inferq/contract';
import type { ModelRepository } from '@inferq/model-repository';
import { binarySectionOf, isImageBody } from './binary-body.js';
import { JobCoalescer } from './job-coalescer.js';
import { isOutOfMemoryError } from '@inferq/redis';
import type { PredictionEvents, PredictionStore } from '@inferq/predictions';
import { PredictionProducer, type PredictionQueues } from '@inferq/queue';
import { encodeTensorsForJob, validateInferenceRequest, type ValidationLimits } from '@inferq/tensor';
import { QueueAdmission } from './queue-admission.js';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from '@inferq/processing';
import { checkPipelineInputs, normalisePipelineBody } from './pipeline-inputs.js';
import { readRequestOptions } from './request-options.js';
import { redisCall } from './redis-call.js';
import type { SubmitCache } from './submit-cache.js';
import { waitForReplicas, type ReplicaWaitSettings } from './replica-wait.js';
import { routingInput, type TrafficRouter } from './traffic/traffic-router.js';

/** Told how each accepted prediction was routed and how its shadow enqueue went (metrics). */
export interface TrafficObserver {
  routed(model: string, version: string, route: TrafficRoute): void;
  shadow(model: string, version: string, outcome: 'queued' | 'failed', error?: unknown): void;
}

/** Everything the service needs, injected so tests can build it around their own Redis. */
export interface PredictionServiceDeps {
  repository: ModelRepository;
  redis: Redis;
  queues: PredictionQueues;
  store: PredictionStore;
  /**
   * Where `get`, `getMany` and `waitForFinal` read records: a store on a connection of its own,
   * so reads do not pay for the BullMQ scripts defined on `redis` (see api-services.ts).
   * @defaultValue `store` over `redis`
   */
  reads?: { redis: Redis; store: PredictionStore };
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
  /**
   * Refuses a version that takes no predictions now (model control: unloaded, or registered and
   * not READY) by throwing VERSION_NOT_LOADED. @defaultValue none (every known version is served)
   */
  versionGate?: (model: string, version: string) => void;
  /** `MAX_IMAGE_PIXELS` / `MAX_IMAGE_BYTES`: bounds on each image input of a pipeline. @defaultValue DEFAULT_IMAGE_LIMITS */
  imageLimits?: ImageLimits;
  /** `REDIS_WAIT_REPLICAS` / `REDIS_WAIT_TIMEOUT_MS`: acknowledge only writes that replicas hold. @defaultValue off */
  replicaWait?: ReplicaWaitSettings;
  /** The prediction cache of versions whose config.json sets `cache` (docs/cache.md). @defaultValue none: nothing is cached */
  cache?: SubmitCache;
  /** Traffic policies (which version serves a request naming none, and its shadow); absent: the default version serves. */
  traffic?: TrafficRouter;
  trafficObserver?: TrafficObserver;
}

/** Options of one submission. */
export interface SubmitOptions {
  /** Id of the API key submitting it (stored as the prediction's `owner`); absent with access control off. */
  owner?: string;
  /** The `Request-Timeout-Ms` header as received (milliseconds; with `parameters.timeout_ms` the shorter wins). */
  timeoutHeader?: string | string[];
  /** Request headers, for traffic rules and the `X-Routing-Key` (names lower-case). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The transport-free core of the producer: validate → enqueue, read, wait for a final result.
 * REST, v2 and WebSocket routes are thin adapters over it.
 */
export class PredictionService {
  readonly #deps: PredictionServiceDeps;
  readonly #admission: QueueAdmission;
  readonly #producer: PredictionProducer;
  readonly #coalescer: JobCoalescer;
  readonly #reads: { redis: Redis; store: PredictionStore };
  /** Resolves when the process shuts down: pending long-polls answer at once instead of holding it up. */
  readonly #released: Promise<void>;
  #release!: () => void;

  constructor(deps: PredictionServiceDeps) {
    this.#deps = deps;
    this.#reads = deps.reads ?? { redis: deps.redis, store: deps.store };
    const producer = (this.#producer = new PredictionProducer(deps.store, deps.queues));
    this.#coalescer = new JobCoalescer({ one: (p) => producer.queue([p]), many: (ps) => producer.queue(ps) }, deps.coalesceMaxPredictions ?? 1);
    // Predictions, not BullMQ jobs (a coalesced job holds many).
    this.#admission = new QueueAdmission((model) => producer.queuedCount(model));
    this.#released = new Promise((resolve) => { this.#release = resolve; });
  }

  /**
   * Validates a v2 request against the model version and queues it.
   * @param id - the prediction id; pre-generate it to start listening for the result before the job exists.
   */
  async submit(model: string, version: string | undefined, body: unknown, id: string = newPredictionId(), options: SubmitOptions = {}): Promise<PredictionAccepted> {
    // Pinned requests (a version in the path) bypass the policy; the rest are routed in memory.
    const decision = this.#deps.traffic?.decide(model, version, routingInput(options.headers, body))
      ?? { version, route: version === undefined ? 'default' as const : 'pinned' as const };
    const target = this.#deps.repository.resolve(model, decision.version);
    if (target.pipeline || isImageBody(body)) body = normalisePipelineBody(body, target);
    this.#deps.versionGate?.(target.name, target.version);
    const request = validateInferenceRequest(body, target, this.#deps.limits, binarySectionOf(body));
    if (target.pipeline) await checkPipelineInputs(target, request.inputs, this.#deps.imageLimits ?? DEFAULT_IMAGE_LIMITS);
    const { inputs, payload } = encodeTensorsForJob(request.inputs, this.#deps.claimCheckBytes ?? 0);
    const job: PredictionJobData = {
      id,
      model: target.name,
      version: target.version,
      inputs,
      createdAt: Date.now(),
      origin: this.#deps.origin,
      route: decision.route,
    };
    if (payload) job.payloadKey = this.#deps.keys.payload(id);
    if (request.requestId !== undefined) job.requestId = request.requestId;
    if (request.outputs !== undefined) job.outputs = request.outputs;
    const scheduling = readRequestOptions(body, options.timeoutHeader, this.#deps.defaultTimeoutMs);
    if (scheduling.timeoutMs !== undefined) job.deadline = job.createdAt + scheduling.timeoutMs;
    const cacheKey = this.#deps.cache?.keyOf(target, request);
    if (cacheKey !== undefined) {
      job.cacheKey = cacheKey;
      // Before admission: a hit takes no queue place, so a full queue does not refuse it.
      const hit = await this.#redisCall(() => this.#deps.cache!.answer(target, request, job, options.owner));
      if (hit) {
        this.#deps.trafficObserver?.routed(job.model, job.version, decision.route);
        return { id, status: 'completed', model: job.model, version: job.version, route: decision.route, cached: true };
      }
    }

    await this.#redisCall(async () => {
      // Usually no Redis work: the depth is cached briefly (see QueueAdmission).
      const release = await this.#admission.admit(job.model, target.maxQueueSize ?? this.#deps.maxQueueSize);
      try {
        await this.#coalescer.submit({ job, owner: options.owner, priority: scheduling.priority, payload });
      } catch (error) {
        release();
        throw error;
      }
      if (this.#deps.replicaWait) await waitForReplicas(this.#deps.redis, this.#deps.replicaWait);
    });
    this.#deps.trafficObserver?.routed(job.model, job.version, decision.route);
    // After the primary is accepted, and not awaited: a mirror never delays or fails the 202.
    if ('shadow' in decision && decision.shadow !== undefined) void this.#enqueueShadow(job, decision.shadow, options.owner, payload);
    return { id, status: 'queued', model: job.model, version: job.version, route: decision.route };
  }

  /**
   * Queues the mirror of an accepted primary on `version`: its own id and record (`shadowOf` the
   * primary), its own copy of any claim-check payload (the primary's is deleted when it
   * completes), below every client priority, outside the queue bound, in bundles like primaries.
   * Never throws.
   */
  async #enqueueShadow(primary: PredictionJobData, version: string, owner: string | undefined, payload: Buffer | undefined): Promise<void> {
    const id = newPredictionId();
    const job: PredictionJobData = { ...primary, id, version, createdAt: Date.now(), shadowOf: primary.id };
    delete job.route;
    delete job.requestId;
    // The primary's cache key names the primary's version: a mirror neither reads nor fills the cache.
    delete job.cacheKey;
    if (payload) job.payloadKey = this.#deps.keys.payload(id);
    try {
      // Coalesced like primaries (its own priority makes its own bundles): at 100 % shadow one
      // BullMQ job per mirror doubled the queue work per request (bench/shadow-throughput.ts).
      await this.#redisCall(() => this.#coalescer.submit({ job, owner, priority: SHADOW_PRIORITY, payload }));
      this.#deps.trafficObserver?.shadow(job.model, version, 'queued');
    } catch (error) {
      this.#deps.trafficObserver?.shadow(job.model, version, 'failed', error);
    }
  }

  /**
   * The current state of a prediction; throws PREDICTION_NOT_FOUND.
   * @param viewer - when given, only a prediction this API key submitted (or one without an owner)
   *   is found; anyone else's answers PREDICTION_NOT_FOUND too, so ids of others do not leak.
   */
  async get(id: string, viewer?: string): Promise<PredictionRecord> {
    const stored = await this.#readCall(() => this.#reads.store.get(id));
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
    const stored = await this.#readCall(() => this.#reads.store.getMany(ids));
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
  async listFailed(model: string, limit: number): Promise<DeadLetterList> {
    const name = this.#deps.repository.resolve(model).name;
    const { total, jobs } = await this.#redisCall(() => this.#deps.queues.failed(name, limit));
    return {
      model: name,
      total,
      failed: jobs.map((job) => ({
        id: job.id, job: job.job, version: job.version, error: decodeFailedReason(job.failedReason), attemptsMade: job.attemptsMade, failedAt: job.failedAt,
      })),
    };
  }

  /**
   * Re-queues a prediction from its dead letter (see PredictionProducer.retry): a failed one, or
   * one still `queued`/`running` whose job is a dead letter (its failure could not be recorded,
   * e.g. while Redis refused writes). Throws PREDICTION_NOT_FOUND, or PREDICTION_NOT_RETRYABLE
   * when it ended otherwise (completed, expired) or its job is not kept as a dead letter.
   */
  async retry(id: string): Promise<PredictionAccepted> {
    const record = await this.get(id);
    const notRetryable = (why: string) => new InferqError('PREDICTION_NOT_RETRYABLE', `prediction "${id}" cannot be retried: ${why}`);
    if (record.status !== 'failed' && FINAL_STATUSES.has(record.status)) throw notRetryable(`it is ${record.status}; only failed predictions can be retried`);
    const outcome = await this.#redisCall(async () => {
      try {
        return await this.#producer.retry(record);
      } catch (error) {
        if (isOutOfMemoryError(error)) throw error; // 503, like any refused write
        throw notRetryable(`BullMQ refused: ${(error as Error).message}`);
      }
    });
    if (outcome === 'retrying-already') throw notRetryable('it is being retried already');
    if (outcome === 'no-dead-letter') {
      throw notRetryable(record.status === 'failed'
        ? 'its job is no longer kept as a dead letter (or is being retried already)'
        : `it is ${record.status} and its job is not a dead letter`);
    }
    return { id, status: 'queued', model: record.model, version: record.version };
  }

  /**
   * True when Redis answers and accepts writes: a Redis out of memory (maxmemory, noeviction)
   * answers PING but refuses every new prediction, so it is probed with a small write.
   */
  async redisReady(): Promise<boolean> {
    if (this.#deps.redis.status !== 'ready') return false;
    try {
      return (await withTimeout(this.#deps.redis.set(this.#deps.keys.writeProbe, String(Date.now()), 'PX', 10_000), 1_000)) === 'OK';
    } catch {
      return false;
    }
  }

  /** Runs a Redis operation; connection trouble becomes QUEUE_UNAVAILABLE (503), never a hang. */
  #redisCall<T>(operation: () => Promise<T>): Promise<T> {
    return redisCall(this.#deps.redis, this.#deps.enqueueTimeoutMs, operation);
  }

  /** As {@link #redisCall}, for a read over the reading connection. */
  #readCall<T>(operation: () => Promise<T>): Promise<T> {
    return redisCall(this.#reads.redis, this.#deps.enqueueTimeoutMs, operation);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
