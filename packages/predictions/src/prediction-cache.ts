import type { Redis } from 'ioredis';
import type {
  CacheConfig, InferenceResponse, OutputSummary, PredictionLogEntry, PredictionRecord, RedisKeys,
} from '@inferq/contract';
import { redisScript, type RedisScript } from '@inferq/redis';

/** A prediction the cache may answer: its record as it would be created, and its log entry if sampled. */
export interface CacheLookup {
  /** Hex SHA-256 from `predictionCacheKey` (`@inferq/tensor`). */
  key: string;
  record: Pick<PredictionRecord, 'id' | 'model' | 'version' | 'createdAt' | 'timings' | 'owner' | 'route'>;
  /** `result.id` of the answer: the caller's request id, else the prediction id. */
  responseId: string;
  /** Id of the accepting API process (the final event's `origin`, for its metrics). */
  origin: string;
  /** The log entry to append on a hit (without outputs: they come from the entry); undefined = not sampled. */
  log?: Omit<PredictionLogEntry, 'outputs'> | undefined;
}

/** Hits and misses of one version's cache, all API processes together. */
export interface CacheStats {
  hits: number;
  misses: number;
}

/** Settings of the store. */
export interface PredictionCacheOptions {
  /** `RESULT_TTL_SECONDS`: TTL of the predictions a hit creates. */
  retentionSeconds: number;
  /** `PREDICTION_LOG_MAX_LEN`: the log's approximate length (its XADD MAXLEN). @defaultValue 100000 */
  logMaxLen?: number;
}

/**
 * The prediction cache in Redis (docs/cache.md; keys `cache:*`, `cache-index:*`, `cache-stats:*`
 * in redis-keys.ts). Workers `put` computed results; the API's `answer` reads an entry and, on a
 * hit, creates the completed prediction, publishes it, logs it and counts it in one script run
 * (`cache-hit-4.lua`). Each version's entries stay within its `maxEntries`: the insert that
 * exceeds it deletes the oldest (`cache-put-2.lua`), as Redis itself never evicts (`noeviction`).
 */
export class PredictionCache {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #retentionSeconds: number;
  readonly #logMaxLen: number;
  readonly #put: RedisScript<number>;
  readonly #hit: RedisScript<string | null>;

  constructor(redis: Redis, keys: RedisKeys, options: PredictionCacheOptions) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionSeconds = options.retentionSeconds;
    this.#logMaxLen = options.logMaxLen ?? 100_000;
    this.#put = redisScript(redis, 'cache-put-2.lua');
    this.#hit = redisScript(redis, 'cache-hit-4.lua');
  }

  /**
   * Answers from the cache when it holds `lookup.key`: the prediction is then `completed` and
   * `cached` in Redis and announced on the final-result channel. Returns whether it was a hit.
   */
  async answer(lookup: CacheLookup): Promise<boolean> {
    const { record } = lookup;
    const fields: string[] = [
      'status', 'completed', 'model', record.model, 'version', record.version, 'createdAt', String(record.createdAt),
      'timings', JSON.stringify(record.timings), 'cached', '1',
    ];
    if (record.owner !== undefined) fields.push('owner', record.owner);
    if (record.route !== undefined) fields.push('route', record.route);
    const event = { id: record.id, status: 'completed', model: record.model, version: record.version, createdAt: record.createdAt, timings: record.timings, cached: true, ...(record.route !== undefined ? { route: record.route } : {}), origin: lookup.origin };
    const result = await this.#hit(
      [this.#keys.cacheEntry(record.model, record.version, lookup.key), this.#keys.prediction(record.id), this.#keys.cacheStats(record.model, record.version), this.#keys.predictionLog],
      [
        this.#retentionSeconds, this.#keys.predictionFinalChannel,
        `{"id":${JSON.stringify(lookup.responseId)},`,
        `${openObject(event)},"result":`,
        lookup.log ? openObject(lookup.log) : '',
        this.#logMaxLen,
        ...fields,
      ],
    );
    return result !== null;
  }

  /**
   * Stores a computed result under `key` (its per-request `id` left out) with the version's TTL,
   * evicting the oldest entries beyond `maxEntries`. Returns how many it evicted.
   * @param outputs - the output summary a cached prediction's log entry carries.
   */
  async put(model: string, version: string, key: string, result: InferenceResponse, outputs: OutputSummary | undefined, settings: CacheConfig, now: number = Date.now()): Promise<number> {
    const { id: _id, ...shared } = result;
    return this.#put(
      [this.#keys.cacheEntry(model, version, key), this.#keys.cacheIndex(model, version)],
      [settings.ttlSeconds, settings.maxEntries, now, JSON.stringify(shared), outputs ? JSON.stringify(outputs) : '', `(${now - settings.ttlSeconds * 1000}`],
    );
  }

  /** Hits and misses counted so far for a version (0 when never looked up). */
  async stats(model: string, version: string): Promise<CacheStats> {
    const { hits, misses } = await this.#redis.hgetall(this.#keys.cacheStats(model, version));
    return { hits: Number(hits ?? 0), misses: Number(misses ?? 0) };
  }

  /** Entries a version's index holds now (live, or expired but not yet trimmed). */
  size(model: string, version: string): Promise<number> {
    return this.#redis.zcard(this.#keys.cacheIndex(model, version));
  }
}

/** `JSON.stringify(value)` without its closing `}`, for the script to append fields to. */
function openObject(value: object): string {
  return JSON.stringify(value).slice(0, -1);
}
