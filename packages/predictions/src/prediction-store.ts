import type { Redis } from 'ioredis';
import {
  FINAL_STATUSES, type InferenceResponse, type PredictionFinalEvent, type ShadowOutcome, type TrafficRoute, type PredictionRecord, type PredictionStatus, type RedisKeys, type WorkerIdentity,
} from '@inferq/contract';
import { redisScript, type RedisScript, type ScriptArg } from '@inferq/redis';
import { ComparisonStore } from './comparison-store.js';
import { finalEventText } from './final-event-text.js';
import { compareOutputs } from './output-comparison.js';

/**
 * A prediction and its model: enough to name every key a script touches (KEYS, see `@inferq/redis`
 * commands/). A shadow (`shadowOf`) is counted in its model's shadow count, not the queue bound's.
 */
export type PredictionRef = Pick<PredictionRecord, 'id' | 'model'> & { shadowOf?: string | undefined };

/** A prediction as the API records it on acceptance. */
export type NewPrediction = Pick<PredictionRecord, 'id' | 'model' | 'version' | 'createdAt' | 'owner' | 'route' | 'shadowOf'> & {
  payload?: Buffer | undefined;
  /** The BullMQ job carrying it when that is not the prediction id (a bundle), for a later retry. */
  job?: string | undefined;
};

/**
 * Prediction state in Redis, one hash per prediction (`{prefix}:prediction:{id}`, see redis-keys.ts):
 * scalar fields `status model version createdAt owner job route shadowOf` written at creation,
 * `worker` (JSON) while running, and at the end `final`: the final event's JSON (result or error,
 * timings, worker), the same text that is announced (one string per prediction to build, send
 * and store).
 * Final writes and their pub/sub announcement go out in one Lua script per batch
 * (`packages/redis/src/commands/finish.lua`; the others are `mark-running.lua`, `reopen-2.lua`, `remove-3.lua`), so a
 * subscriber that reads the hash after the event always sees the final state. The announcement
 * is one message per batch: the texts of the final events it wrote, one per line (see PredictionEvents).
 *
 * Retention: a record is created with a TTL of `retentionSeconds` plus up to a minute of spare
 * (TTL_SPARE_SECONDS); a final write resets it to `retentionSeconds` only for a prediction that
 * ended later than that after its creation. Either way it stays readable at least
 * `retentionSeconds` after it ended, and the usual prediction costs no EXPIRE when it ends. In a worker, the
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
  readonly #create: RedisScript<number>;
  readonly #markRunning: RedisScript<number>;
  readonly #finish: RedisScript<Array<number | string>>;
  readonly #finishShadow: RedisScript<Array<number | string>>;
  readonly #comparisons: ComparisonStore;
  readonly #reopen: RedisScript<string | null>;
  readonly #remove: RedisScript<number>;
  readonly #keys: RedisKeys;
  readonly #retentionSeconds: number;
  /** Extra TTL a record gets at creation, so that one ending within it needs no EXPIRE at its final write. */
  readonly #spareSeconds: number;
  /** Comparison updates Redis refused (each loses one pair's sample). */
  readonly counters = { comparisonWritesLost: 0 };

  /** @param retentionSeconds - how long a prediction (and its result) stays readable. */
  constructor(redis: Redis, keys: RedisKeys, retentionSeconds: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionSeconds = retentionSeconds;
    this.#spareSeconds = Math.min(TTL_SPARE_SECONDS, retentionSeconds);
    this.#create = redisScript(redis, 'create.lua');
    this.#markRunning = redisScript(redis, 'mark-running.lua');
    this.#finish = redisScript(redis, 'finish.lua');
    this.#finishShadow = redisScript(redis, 'finish-shadow.lua');
    this.#comparisons = new ComparisonStore(redis, keys);
    this.#reopen = redisScript(redis, 'reopen-2.lua');
    this.#remove = redisScript(redis, 'remove-3.lua');
  }

  /** Records a newly accepted prediction as `queued` (and its claim-check payload, if any). */
  async create(record: NewPrediction): Promise<void> {
    await this.createMany([record]);
  }

  /**
   * Records newly accepted predictions as `queued` in one script run (one, or a coalesced bundle),
   * with the raw tensor bytes of those that carry a claim-check payload (`create.lua`).
   */
  async createMany(records: readonly NewPrediction[]): Promise<void> {
    if (records.length === 0) return;
    const keys: string[] = [];
    const perCounter = new Map<string, number>();
    const args: ScriptArg[] = [];
    for (const record of records) {
      keys.push(this.#keys.prediction(record.id));
      const fields: ScriptArg[] = ['status', 'queued', 'model', record.model, 'version', record.version, 'createdAt', String(record.createdAt)];
      if (record.owner !== undefined) fields.push('owner', record.owner);
      if (record.job !== undefined) fields.push('job', record.job);
      if (record.route !== undefined) fields.push('route', record.route);
      if (record.shadowOf !== undefined) fields.push('shadowOf', record.shadowOf);
      args.push(record.payload ? 1 : 0, fields.length, ...fields);
      if (record.payload) {
        keys.push(this.#keys.payload(record.id));
        args.push(record.payload);
      }
      const counter = this.#counter(record);
      perCounter.set(counter, (perCounter.get(counter) ?? 0) + 1);
    }
    keys.push(...perCounter.keys());
    await this.#create(keys, [this.#retentionSeconds + this.#spareSeconds, this.#retentionSeconds, perCounter.size, ...perCounter.values(), ...args]);
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
  async remove(ref: PredictionRef): Promise<void> {
    await this.#remove([this.#keys.prediction(ref.id), this.#keys.payload(ref.id), this.#counter(ref)]);
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
    return this.#markRunning(predictions.flatMap((ref) => [this.#keys.prediction(ref.id), this.#counter(ref)]), [JSON.stringify(worker)]);
  }

  /**
   * Writes final records and announces each on the final-result channel, in one script run.
   * A record that is already final is neither overwritten nor announced again (first write wins).
   * Returns how many were written.
   */
  async finish(events: readonly PredictionFinalEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    for (const event of events) if (!FINAL_STATUSES.has(event.status)) throw new Error(`finish() takes final records, got "${event.status}"`);
    const primaries = events.filter((event) => event.shadowOf === undefined);
    const shadows = events.filter((event) => event.shadowOf !== undefined);
    const [a, b] = await Promise.all([this.#finishPrimaries(primaries), this.#finishShadows(shadows)]);
    return a + b;
  }

  /** Final writes and announcements of client predictions; compares each with its shadow when that ended first. */
  async #finishPrimaries(events: readonly PredictionFinalEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const keys: string[] = [];
    const args: ScriptArg[] = [this.#keys.predictionFinalChannel];
    const now = Date.now();
    for (const event of events) {
      keys.push(this.#keys.prediction(event.id), this.#keys.queuedCount(event.model));
      // One JSON text per prediction: stored as the record's `final` field and announced as is.
      args.push(this.#finalTtl(event, now), event.status, finalEventText(event));
    }
    const [written, ...paired] = await this.#finish(keys, args);
    const compared = [];
    for (let i = 0; i < paired.length; i += 2) {
      const primary = events[Number(paired[i]) - 1]!;
      const shadow = parseJson<ShadowOutcome>(String(paired[i + 1]));
      if (primary.status === 'completed' && primary.result && shadow?.status === 'completed' && shadow.result) {
        const comparison = compareOutputs(primary.result, shadow.result as InferenceResponse);
        if (comparison) compared.push({ model: primary.model, version: shadow.version, baseline: primary.version, comparison });
      }
    }
    await this.#addComparisons(compared);
    return Number(written);
  }

  /** Final writes of shadow predictions (never announced); compares each with its primary when that completed first. */
  async #finishShadows(events: readonly PredictionFinalEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const keys: string[] = [];
    const args: ScriptArg[] = [];
    const now = Date.now();
    for (const { origin: _origin, ...record } of events) {
      keys.push(this.#keys.prediction(record.id), this.#counter(record), this.#keys.prediction(record.shadowOf!));
      const outcome: ShadowOutcome = { version: record.version, status: record.status, id: record.id };
      if (record.result) outcome.result = record.result;
      if (record.error) outcome.error = record.error;
      args.push(this.#finalTtl(record, now), record.status, JSON.stringify(record), JSON.stringify(outcome));
    }
    const [written, ...paired] = await this.#finishShadow(keys, args);
    const compared = [];
    for (let i = 0; i < paired.length; i += 4) {
      const shadow = events[Number(paired[i]) - 1]!;
      // The primary's `final` event, or (a record a cache hit created) its `version` and `result` fields.
      const final = paired[i + 1] === null ? undefined : parseJson<PredictionFinalEvent>(String(paired[i + 1]));
      const baseline = final?.version ?? (paired[i + 2] === null ? undefined : String(paired[i + 2]));
      const primaryResult = final ? final.result : paired[i + 3] === null ? undefined : parseJson<InferenceResponse>(String(paired[i + 3]));
      if (shadow.status === 'completed' && shadow.result && primaryResult && baseline !== undefined) {
        const comparison = compareOutputs(primaryResult, shadow.result);
        if (comparison) compared.push({ model: shadow.model, version: shadow.version, baseline, comparison });
      }
    }
    await this.#addComparisons(compared);
    return Number(written);
  }

  /**
   * Best effort: the outcomes are written already, and a retried finish would not see the pair
   * again (first write wins), so a refused counter update loses one sample rather than failing
   * (or double-counting) anything.
   */
  async #addComparisons(entries: Parameters<ComparisonStore['add']>[0]): Promise<void> {
    await this.#comparisons.add(entries).catch(() => { this.counters.comparisonWritesLost++; });
  }

  /**
   * The TTL a final write sets: 0 (keep the one set at creation) when the prediction ends within
   * the spare its record was created with, so it stays readable at least `retentionSeconds` after
   * it ends without an EXPIRE per prediction; else the full retention. (Clocks: `createdAt` is
   * the API's, `now` the worker's; a skew of s seconds can shorten retention by s.)
   */
  #finalTtl(record: Pick<PredictionRecord, 'createdAt'>, now: number): number {
    return now - record.createdAt < this.#spareSeconds * 1000 ? 0 : this.#retentionSeconds;
  }

  /** The queued counter a prediction moves: its model's, or its model's shadow count. */
  #counter(ref: PredictionRef): string {
    return ref.shadowOf === undefined ? this.#keys.queuedCount(ref.model) : this.#keys.shadowQueuedCount(ref.model);
  }

  /**
   * Moves a failed prediction back to `queued` for a retry (clearing its error). Returns the
   * status it found: `'failed'` when it was reopened, anything else (undefined = gone) when not.
   */
  async reopen(ref: PredictionRef): Promise<PredictionStatus | undefined> {
    const status = await this.#reopen([this.#keys.prediction(ref.id), this.#counter(ref)]);
    return (status ?? undefined) as PredictionStatus | undefined;
  }
}

/**
 * TTL a record gets on top of the retention when it is created (at most the retention itself):
 * the one EXPIRE it needs for a prediction that ends within this time (nearly all do).
 */
const TTL_SPARE_SECONDS = 60;

/**
 * A record from its hash. A final write stores the final event as one JSON field, `final`
 * (finish.lua): its result, error, timings and worker are the record's, and its identity fields
 * stand in for those of a record that was gone when it ended. A record a cache hit created holds
 * them as fields of their own (`result`, `timings`, …), as does one still queued or running
 * (`worker`).
 */
function recordFromHash(id: string, hash: Record<string, string>): PredictionRecord {
  const final = hash.final ? JSON.parse(hash.final) as PredictionFinalEvent : undefined;
  const record: PredictionRecord = {
    id,
    status: hash.status as PredictionStatus,
    model: hash.model ?? final?.model ?? '',
    version: hash.version ?? final?.version ?? '',
    createdAt: Number(hash.createdAt ?? final?.createdAt ?? 0),
    timings: final?.timings ?? (hash.timings ? JSON.parse(hash.timings) : {}),
  };
  const result = final ? final.result : hash.result ? JSON.parse(hash.result) : undefined;
  const error = final ? final.error : hash.error ? JSON.parse(hash.error) : undefined;
  const worker = final?.worker ?? (hash.worker ? JSON.parse(hash.worker) : undefined);
  if (result) record.result = result;
  if (error) record.error = error;
  if (worker) record.worker = worker;
  if (hash.owner) record.owner = hash.owner;
  if (hash.cached === '1') record.cached = true;
  const route = hash.route ?? final?.route;
  if (route) record.route = route as TrafficRoute;
  const shadowOf = hash.shadowOf ?? final?.shadowOf;
  if (shadowOf) record.shadowOf = shadowOf;
  if (hash.shadow) record.shadow = JSON.parse(hash.shadow);
  return record;
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** MULTI/pipeline results carry per-command errors instead of rejecting; surface the first. */
export function throwOnPipelineError(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [error] of results) if (error) throw error;
}
