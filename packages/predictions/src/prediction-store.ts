import type { Redis } from 'ioredis';
import {
  FINAL_STATUSES, type PredictionFinalEvent, type PredictionRecord, type PredictionStatus, type RedisKeys, type WorkerIdentity,
} from '@inferq/contract';
import { redisScript, type RedisScript, type ScriptArg } from '@inferq/redis';

/** A prediction and its model: enough to name every key a script touches (KEYS, see `@inferq/redis` commands/). */
export type PredictionRef = Pick<PredictionRecord, 'id' | 'model'>;

/** A prediction as the API records it on acceptance. */
export type NewPrediction = Pick<PredictionRecord, 'id' | 'model' | 'version' | 'createdAt' | 'owner'> & {
  payload?: Buffer | undefined;
  /** The BullMQ job carrying it when that is not the prediction id (a bundle), for a later retry. */
  job?: string | undefined;
};

/**
 * Prediction state in Redis, one hash per prediction (`{prefix}:prediction:{id}`, see redis-keys.ts):
 * scalar fields `status model version createdAt owner job`, JSON fields `result error timings worker`.
 * Final writes and their pub/sub announcement go out in one Lua script per batch
 * (`packages/redis/src/commands/finish.lua`; the others are `mark-running.lua`, `reopen-2.lua`, `remove-3.lua`), so a
 * subscriber that reads the hash after the event always sees the final state. In a worker, the
 * one caller of `finish` is its OutcomeRecorder.
 *
 * Transitions are monotonic, checked inside Redis (no read-modify-write race between workers):
 * `markRunning` only moves queued/running records, `finish` never overwrites a final record and
 * publishes only what it wrote, so each prediction is announced once however often its job ran.
 * The one way back is `reopen` (failed → queued), used by an explicit retry.
 *
 * Each model's count of `queued` predictions (`{prefix}:queued:{model}`) moves in the same
 * command as the records: the API's queue bound reads it (a bundle job holds many predictions, so
 * counting BullMQ jobs would not do).
 */
export class PredictionStore {
  readonly #redis: Redis;
  readonly #markRunning: RedisScript<number>;
  readonly #finish: RedisScript<number>;
  readonly #reopen: RedisScript<string | null>;
  readonly #remove: RedisScript<number>;
  readonly #keys: RedisKeys;
  readonly #retentionSeconds: number;

  /** @param retentionSeconds - how long a prediction (and its result) stays readable. */
  constructor(redis: Redis, keys: RedisKeys, retentionSeconds: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionSeconds = retentionSeconds;
    this.#markRunning = redisScript(redis, 'mark-running.lua');
    this.#finish = redisScript(redis, 'finish.lua');
    this.#reopen = redisScript(redis, 'reopen-2.lua');
    this.#remove = redisScript(redis, 'remove-3.lua');
  }

  /** Records a newly accepted prediction as `queued` (and its claim-check payload, if any). */
  async create(record: NewPrediction): Promise<void> {
    await this.createMany([record]);
  }

  /**
   * Records newly accepted predictions as `queued` in one MULTI (one, or a coalesced bundle),
   * with the raw tensor bytes of those that carry a claim-check payload.
   */
  async createMany(records: readonly NewPrediction[]): Promise<void> {
    const multi = this.#redis.multi();
    for (const record of records) {
      const key = this.#keys.prediction(record.id);
      const fields: Record<string, string> = { status: 'queued', model: record.model, version: record.version, createdAt: String(record.createdAt) };
      if (record.owner !== undefined) fields.owner = record.owner;
      if (record.job !== undefined) fields.job = record.job;
      multi.hset(key, fields).expire(key, this.#retentionSeconds);
      if (record.payload) multi.set(this.#keys.payload(record.id), record.payload, 'EX', this.#retentionSeconds);
    }
    const perModel = new Map<string, number>();
    for (const record of records) perModel.set(record.model, (perModel.get(record.model) ?? 0) + 1);
    for (const [model, count] of perModel) multi.incrby(this.#keys.queuedCount(model), count);
    await multi.exec().then(throwOnPipelineError);
  }

  /** The id of the BullMQ job a prediction was queued in, when not its own id (a bundle). */
  async jobOf(id: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#keys.prediction(id), 'job')) ?? undefined;
  }

  /** Sets `model`'s queued count to 0 (when no job is left that could hold a queued prediction). */
  async resetQueuedCount(model: string): Promise<void> {
    await this.#redis.set(this.#keys.queuedCount(model), '0');
  }

  /** How many predictions of `model` are `queued` (accepted, not yet taken by a worker). */
  async queuedCount(model: string): Promise<number> {
    return Number((await this.#redis.get(this.#keys.queuedCount(model))) ?? 0);
  }

  /** Deletes the claim-check payloads of predictions that completed (failed ones keep theirs for a retry). */
  async deletePayloads(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#redis.del(...ids.map((id) => this.#keys.payload(id)));
  }

  /** Deletes a record whose job could not be enqueued. */
  async remove({ id, model }: PredictionRef): Promise<void> {
    await this.#remove([this.#keys.prediction(id), this.#keys.payload(id), this.#keys.queuedCount(model)]);
  }

  /** Reads a prediction; undefined when unknown or expired. */
  async get(id: string): Promise<PredictionRecord | undefined> {
    const hash = await this.#redis.hgetall(this.#keys.prediction(id));
    return hash.status ? recordFromHash(id, hash) : undefined;
  }

  /** Reads several predictions in one round trip (in order; undefined where unknown or expired). */
  async getMany(ids: readonly string[]): Promise<Array<PredictionRecord | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.#keys.prediction(id));
    const results = (await pipeline.exec()) ?? [];
    throwOnPipelineError(results);
    return ids.map((id, i) => {
      const hash = results[i]?.[1] as Record<string, string> | undefined;
      return hash?.status ? recordFromHash(id, hash) : undefined;
    });
  }

  /**
   * Marks predictions of a starting batch as `running` (one round trip for the batch). Records
   * already final (a re-run after a stall) keep their status. Returns how many were marked.
   */
  async markRunning(predictions: readonly PredictionRef[], worker: WorkerIdentity): Promise<number> {
    if (predictions.length === 0) return 0;
    return this.#markRunning(predictions.flatMap(({ id, model }) => [this.#keys.prediction(id), this.#keys.queuedCount(model)]), [JSON.stringify(worker)]);
  }

  /**
   * Writes final records and announces each on the final-result channel, in one script run.
   * A record that is already final is neither overwritten nor announced again (first write wins).
   * Returns how many were written.
   */
  async finish(events: readonly PredictionFinalEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const keys: string[] = [];
    const args: ScriptArg[] = [this.#retentionSeconds, this.#keys.predictionFinalChannel];
    for (const { origin, ...record } of events) {
      if (!FINAL_STATUSES.has(record.status)) throw new Error(`finish() takes final records, got "${record.status}"`);
      keys.push(this.#keys.prediction(record.id), this.#keys.queuedCount(record.model));
      const fields = Object.entries(hashFromRecord(record)).flat();
      args.push(fields.length, ...fields, JSON.stringify(origin === undefined ? record : { ...record, origin }));
    }
    return this.#finish(keys, args);
  }

  /**
   * Moves a failed prediction back to `queued` for a retry (clearing its error). Returns the
   * status it found: `'failed'` when it was reopened, anything else (undefined = gone) when not.
   */
  async reopen({ id, model }: PredictionRef): Promise<PredictionStatus | undefined> {
    const status = await this.#reopen([this.#keys.prediction(id), this.#keys.queuedCount(model)]);
    return (status ?? undefined) as PredictionStatus | undefined;
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
  if (hash.owner) record.owner = hash.owner;
  if (hash.cached === '1') record.cached = true;
  return record;
}

/** MULTI/pipeline results carry per-command errors instead of rejecting; surface the first. */
export function throwOnPipelineError(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [error] of results) if (error) throw error;
}
