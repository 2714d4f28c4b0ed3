import type { Redis } from 'ioredis';
import {
  FINAL_STATUSES, type PredictionFinalEvent, type PredictionRecord, type PredictionStatus, type RedisKeys, type WorkerIdentity,
} from '@inferq/contract';

/** Lua test of "this status is final", generated from FINAL_STATUSES so the two never disagree. */
const LUA_IS_FINAL = [...FINAL_STATUSES].map((s) => `status == '${s}'`).join(' or ');

/**
 * Lua: the record at `key` leaves `queued`: one less in its model's queued count (`counters` is
 * the `{prefix}:queued:` key prefix). Called only on a transition out of `queued`, which the
 * scripts make happen once per prediction, so the count stays exact however often a job re-runs.
 */
const LUA_LEAVE_QUEUE = `
local function leaveQueue(key, counters)
  local model = redis.call('HGET', key, 'model')
  if model then
    local counter = counters .. model
    if tonumber(redis.call('GET', counter) or '0') > 0 then redis.call('DECR', counter) end
  end
end`;

/**
 * queued | running → running; anything else (final, or the record gone) is left alone, so a
 * re-run of a job whose prediction already ended never moves it back. KEYS: prediction hashes;
 * ARGV[1]: worker JSON, ARGV[2]: queued-count key prefix. Returns how many were marked.
 */
const MARK_RUNNING_LUA = `${LUA_LEAVE_QUEUE}
local marked = 0
for _, key in ipairs(KEYS) do
  local status = redis.call('HGET', key, 'status')
  if status == 'queued' or status == 'running' then
    if status == 'queued' then leaveQueue(key, ARGV[2]) end
    redis.call('HSET', key, 'status', 'running', 'worker', ARGV[1])
    marked = marked + 1
  end
end
return marked`;

/**
 * Writes each final record and publishes it, unless the record is final already: the first final
 * write wins and is announced once; a duplicate (a re-run after a stall, a retried batch) is
 * dropped here, before any client could see it. KEYS[i]: hash of record i. ARGV: TTL seconds,
 * channel, queued-count key prefix, then per record: field count n, n field/value strings, event JSON. Returns how many
 * were written.
 */
const FINISH_LUA = `${LUA_LEAVE_QUEUE}
local ttl, channel, counters, a, written = ARGV[1], ARGV[2], ARGV[3], 4, 0
for _, key in ipairs(KEYS) do
  local n = tonumber(ARGV[a])
  local status = redis.call('HGET', key, 'status')
  if not (${LUA_IS_FINAL}) then
    if status == 'queued' then leaveQueue(key, counters) end
    redis.call('HSET', key, unpack(ARGV, a + 1, a + n))
    redis.call('EXPIRE', key, ttl)
    redis.call('PUBLISH', channel, ARGV[a + n + 1])
    written = written + 1
  end
  a = a + n + 2
end
return written`;

/**
 * failed → queued for an explicit retry: clears the outcome, keeps identity, owner and TTL.
 * KEYS[1]: the hash; ARGV[1]: queued-count key prefix. Returns the status it found (nil when the
 * record is gone).
 */
const REOPEN_LUA = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'failed' then
  redis.call('HDEL', KEYS[1], 'result', 'error', 'worker', 'timings')
  redis.call('HSET', KEYS[1], 'status', 'queued')
  redis.call('INCR', ARGV[1] .. redis.call('HGET', KEYS[1], 'model'))
end
return status`;

/**
 * Deletes a record whose job could not be queued (and its payload), counting it out of `queued`.
 * KEYS[1]: the hash, KEYS[2]: its payload; ARGV[1]: queued-count key prefix.
 */
const REMOVE_LUA = `${LUA_LEAVE_QUEUE}
if redis.call('HGET', KEYS[1], 'status') == 'queued' then leaveQueue(KEYS[1], ARGV[1]) end
return redis.call('DEL', KEYS[1], KEYS[2])`;

type ScriptArg = string | number;
/** The scripts above, as ioredis commands (EVALSHA, falling back to EVAL after a Redis restart). */
interface StoreScripts {
  inferqMarkRunning(numKeys: number, ...args: ScriptArg[]): Promise<number>;
  inferqFinish(numKeys: number, ...args: ScriptArg[]): Promise<number>;
  inferqReopen(numKeys: number, ...args: ScriptArg[]): Promise<string | null>;
  inferqRemove(numKeys: number, ...args: ScriptArg[]): Promise<number>;
}

/** A prediction as the API records it on acceptance. */
export type NewPrediction = Pick<PredictionRecord, 'id' | 'model' | 'version' | 'createdAt' | 'owner'> & {
  payload?: Buffer | undefined;
  /** The BullMQ job carrying it when that is not the prediction id (a bundle), for a later retry. */
  job?: string | undefined;
};

/**
 * Prediction state in Redis, one hash per prediction (`{prefix}:prediction:{id}`, see redis-keys.ts):
 * scalar fields `status model version createdAt owner job`, JSON fields `result error timings worker`.
 * Final writes and their pub/sub announcement go out in one Lua script per batch, so a subscriber
 * that reads the hash after the event always sees the final state.
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
  readonly #scripts: StoreScripts;
  readonly #keys: RedisKeys;
  readonly #retentionSeconds: number;

  /** @param retentionSeconds - how long a prediction (and its result) stays readable. */
  constructor(redis: Redis, keys: RedisKeys, retentionSeconds: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionSeconds = retentionSeconds;
    redis.defineCommand('inferqMarkRunning', { lua: MARK_RUNNING_LUA });
    redis.defineCommand('inferqFinish', { lua: FINISH_LUA });
    redis.defineCommand('inferqReopen', { lua: REOPEN_LUA });
    redis.defineCommand('inferqRemove', { lua: REMOVE_LUA });
    this.#scripts = redis as unknown as StoreScripts;
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
  async remove(id: string): Promise<void> {
    await this.#scripts.inferqRemove(2, this.#keys.prediction(id), this.#keys.payload(id), this.#keys.queuedCount(''));
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
  async markRunning(ids: readonly string[], worker: WorkerIdentity): Promise<number> {
    if (ids.length === 0) return 0;
    return this.#scripts.inferqMarkRunning(ids.length, ...ids.map((id) => this.#keys.prediction(id)), JSON.stringify(worker), this.#keys.queuedCount(''));
  }

  /**
   * Writes final records and announces each on the final-result channel, in one script run.
   * A record that is already final is neither overwritten nor announced again (first write wins).
   * Returns how many were written.
   */
  async finish(events: readonly PredictionFinalEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const keys: string[] = [];
    const args: ScriptArg[] = [this.#retentionSeconds, this.#keys.predictionFinalChannel, this.#keys.queuedCount('')];
    for (const { origin, ...record } of events) {
      if (!FINAL_STATUSES.has(record.status)) throw new Error(`finish() takes final records, got "${record.status}"`);
      keys.push(this.#keys.prediction(record.id));
      const fields = Object.entries(hashFromRecord(record)).flat();
      args.push(fields.length, ...fields, JSON.stringify(origin === undefined ? record : { ...record, origin }));
    }
    return this.#scripts.inferqFinish(keys.length, ...keys, ...args);
  }

  /**
   * Moves a failed prediction back to `queued` for a retry (clearing its error). Returns the
   * status it found: `'failed'` when it was reopened, anything else (undefined = gone) when not.
   */
  async reopen(id: string): Promise<PredictionStatus | undefined> {
    const status = await this.#scripts.inferqReopen(1, this.#keys.prediction(id), this.#keys.queuedCount(''));
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
  return record;
}

/** MULTI/pipeline results carry per-command errors instead of rejecting; surface the first. */
export function throwOnPipelineError(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [error] of results) if (error) throw error;
}
