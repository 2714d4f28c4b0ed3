import type { Redis } from 'ioredis';
import {
  InferqError, newPredictionId, FINAL_STATUSES,
  type PredictionAccepted, type PredictionJobData, type PredictionRecord,
} from '@inferq/contract';
import type { ModelRepository } from '@inferq/model-repository';
import type { PredictionEvents, PredictionQueues, PredictionStore } from '@inferq/queue';
import { encodeTensor, validateInferenceRequest, type ValidationLimits } from '@inferq/tensor';

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
}

/**
 * The transport-free core of the producer: validate → enqueue, read, wait for a final result.
 * REST, v2 and WebSocket routes are thin adapters over it.
 */
export class PredictionService {
  readonly #deps: PredictionServiceDeps;

  constructor(deps: PredictionServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Validates a v2 request against the model version and queues it.
   * @param id - the prediction id; pre-generate it to start listening for the result before the job exists.
   */
  async submit(model: string, version: string | undefined, body: unknown, id: string = newPredictionId()): Promise<PredictionAccepted> {
    const target = this.#deps.repository.resolve(model, version);
    const request = validateInferenceRequest(body, target, this.#deps.limits);
    const job: PredictionJobData = {
      id,
      model: target.name,
      version: target.version,
      inputs: request.inputs.map(encodeTensor),
      createdAt: Date.now(),
      origin: this.#deps.origin,
    };
    if (request.requestId !== undefined) job.requestId = request.requestId;
    if (request.outputs !== undefined) job.outputs = request.outputs;

    await this.#redisCall(async () => {
      // Both commands share one connection, so the record is written before the job can run.
      const created = this.#deps.store.create({ id, model: job.model, version: job.version, createdAt: job.createdAt });
      const enqueued = this.#deps.queues.enqueue(job);
      const [c, e] = await Promise.allSettled([created, enqueued]);
      if (e.status === 'rejected') {
        await this.#deps.store.remove(id).catch(() => {});
        throw e.reason;
      }
      if (c.status === 'rejected') throw c.reason;
    });
    return { id, status: 'queued', model: job.model, version: job.version };
  }

  /** The current state of a prediction; throws PREDICTION_NOT_FOUND. */
  async get(id: string): Promise<PredictionRecord> {
    const record = await this.#redisCall(() => this.#deps.store.get(id));
    if (!record) throw new InferqError('PREDICTION_NOT_FOUND', `prediction "${id}" does not exist or its result has expired`);
    return record;
  }

  /**
   * Waits up to `timeoutMs` for a prediction to end; returns its state then (final or not).
   * Event-driven: one in-process listener on the shared subscriber, no polling.
   */
  async waitForFinal(id: string, timeoutMs: number): Promise<PredictionRecord> {
    let resolveEvent!: (record: PredictionRecord) => void;
    const event = new Promise<PredictionRecord>((resolve) => { resolveEvent = resolve; });
    const stop = this.#deps.events.onFinal(id, ({ origin: _origin, ...record }) => resolveEvent(record));
    let timer: NodeJS.Timeout | undefined;
    try {
      const current = await this.get(id); // after listening, so a result written in between is not missed
      if (FINAL_STATUSES.has(current.status) || timeoutMs <= 0) return current;
      const timeout = new Promise<PredictionRecord>((resolve) => {
        timer = setTimeout(() => resolve(current), timeoutMs);
      });
      const winner = await Promise.race([event, timeout]);
      // On timeout, read once more: the status may have moved from queued to running.
      return FINAL_STATUSES.has(winner.status) ? winner : await this.get(id);
    } finally {
      clearTimeout(timer);
      stop();
    }
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
  async #redisCall<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#deps.redis.status !== 'ready') {
      throw new InferqError('QUEUE_UNAVAILABLE', 'the queue (Redis) is unreachable; retry shortly');
    }
    try {
      return await withTimeout(operation(), this.#deps.enqueueTimeoutMs);
    } catch (error) {
      if (error instanceof InferqError) throw error;
      throw new InferqError('QUEUE_UNAVAILABLE', `the queue (Redis) did not answer: ${(error as Error).message}`, { cause: error });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
