import type { Redis } from 'ioredis';
import {
  FINAL_STATUSES, type PredictionFinalEvent, type PredictionRecord, type PredictionStatus, type RedisKeys, type WorkerIdentity,
} from '@inferq/contract';

/**
 * Prediction state in Redis, one hash per prediction (`{prefix}:prediction:{id}`, see redis-keys.ts):
 * scalar fields `status model version createdAt`, JSON fields `result error timings worker`.
 * Final writes and their pub/sub announcement go out in one MULTI per batch, so a subscriber
 * that reads the hash after the event always sees the final state.
 */
export class PredictionStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #retentionSeconds: number;

  /** @param retentionSeconds - how long a prediction (and its result) stays readable. */
  constructor(redis: Redis, keys: RedisKeys, retentionSeconds: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionSeconds = retentionSeconds;
  }

  /** Records a newly accepted prediction as `queued`. */
  async create(record: Pick<PredictionRecord, 'id' | 'model' | 'version' | 'createdAt'>): Promise<void> {
    const key = this.#keys.prediction(record.id);
    await this.#redis
      .multi()
      .hset(key, { status: 'queued', model: record.model, version: record.version, createdAt: String(record.createdAt) })
      .expire(key, this.#retentionSeconds)
      .exec()
      .then(throwOnPipelineError);
  }

  /** Deletes a record whose job could not be enqueued. */
  async remove(id: string): Promise<void> {
    await this.#redis.del(this.#keys.prediction(id));
  }

  /** Reads a prediction; undefined when unknown or expired. */
  async get(id: string): Promise<PredictionRecord | undefined> {
    const hash = await this.#redis.hgetall(this.#keys.prediction(id));
    return hash.status ? recordFromHash(id, hash) : undefined;
  }

  /** Marks predictions of a starting batch as `running` (one round trip for the batch). */
  async markRunning(ids: readonly string[], worker: WorkerIdentity): Promise<void> {
    if (ids.length === 0) return;
    const multi = this.#redis.multi();
    const workerJson = JSON.stringify(worker);
    for (const id of ids) multi.hset(this.#keys.prediction(id), 'status', 'running', 'worker', workerJson);
    await multi.exec().then(throwOnPipelineError);
  }

  /** Writes final records and announces each on the final-result channel, in one MULTI. */
  async finish(events: readonly PredictionFinalEvent[]): Promise<void> {
    if (events.length === 0) return;
    const multi = this.#redis.multi();
    for (const { origin, ...record } of events) {
      if (!FINAL_STATUSES.has(record.status)) throw new Error(`finish() takes final records, got "${record.status}"`);
      const key = this.#keys.prediction(record.id);
      multi.hset(key, hashFromRecord(record));
      multi.expire(key, this.#retentionSeconds);
      multi.publish(this.#keys.predictionFinalChannel, JSON.stringify(origin === undefined ? record : { ...record, origin }));
    }
    await multi.exec().then(throwOnPipelineError);
  }
}

function hashFromRecord(record: PredictionRecord): Record<string, string> {
  const hash: Record<string, string> = {
    status: record.status, model: record.model, version: record.version,
    createdAt: String(record.createdAt), timings: JSON.stringify(record.timings),
  };
  if (record.result) hash.result = JSON.stringify(record.result);
  if (record.error) hash.error = JSON.stringify(record.error);
  if (record.worker) hash.worker = JSON.stringify(record.worker);
  return hash;
}

function recordFromHash(id: string, hash: Record<string, string>): PredictionRecord {
  const record: PredictionRecord = {
    id,
    status: hash.status as PredictionStatus,
    model: hash.model ?? '',
    version: hash.version ?? '',
    createdAt: Number(hash.createdAt ?? 0),
    timings: hash.timings ? JSON.parse(hash.timings) : {},
  };
  if (hash.result) record.result = JSON.parse(hash.result);
  if (hash.error) record.error = JSON.parse(hash.error);
  if (hash.worker) record.worker = JSON.parse(hash.worker);
  return record;
}

/** MULTI/pipeline results carry per-command errors instead of rejecting; surface the first. */
export function throwOnPipelineError(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [error] of results) if (error) throw error;
}
