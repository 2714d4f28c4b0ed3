import type { Redis } from 'ioredis';
import type { RedisKeys, VersionStats } from '@inferq/contract';
import { throwOnPipelineError } from './prediction-store.js';

/**
 * Per-version live figures (requests/s, error rate, latency percentiles, class shares) as
 * per-second Redis hashes `{prefix}:version-stats:{model}:{version}:{second}` (redis-keys.ts).
 *
 * Why buckets written by the worker rather than figures derived from the prediction log: the log
 * is sampled (PREDICTION_LOG_SAMPLE_RATE), drops entries under back-pressure and never holds
 * expired predictions, and its consumer group splits entries between monitors; rollout gates
 * need every outcome. A worker adds one pipelined round trip of a few HINCRBYs per 200 ms, off the
 * jobs' path (see apps/worker/src/version-stats-writer.ts). A reader sums the seconds it needs.
 */

/** Ratio between latency bucket bounds: a percentile read from buckets is at most 10 % high. */
export const LATENCY_BUCKET_RATIO = 1.1;
const LOG_RATIO = Math.log(LATENCY_BUCKET_RATIO);
/** Most seconds one read sums (one HGETALL each, pipelined). */
export const MAX_STATS_WINDOW_SECONDS = 3_600;
/** Default of VERSION_STATS_TTL_SECONDS: how long a second's bucket is kept. */
export const DEFAULT_VERSION_STATS_TTL_SECONDS = 7_200;

/** Index of the latency bucket of `ms`: bucket i holds (1.1^(i-1), 1.1^i] ms; bucket 0 holds ≤ 1 ms. */
export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(400, Math.ceil(Math.log(ms) / LOG_RATIO - 1e-9));
}

/** Upper bound of latency bucket `i`, ms. */
export function latencyBucketBound(i: number): number {
  return LATENCY_BUCKET_RATIO ** i;
}

/** What one epoch second adds to one version's hash. */
export interface StatsIncrement {
  model: string;
  version: string;
  second: number;
  /** Field → amount (`n`, `e`, `l:{i}`, `c:{class}`). */
  fields: Map<string, number>;
}

/** The summed raw counters of a span of seconds. */
export interface StatsTotals {
  requests: number;
  errors: number;
  /** Latency bucket index → completed predictions. */
  latency: Map<number, number>;
  /** Class → rows. */
  classes: Map<string, number>;
}

/** The `q`-quantile (0..1) of bucketed latencies, as the upper bound of its bucket; 0 when empty. */
export function latencyQuantile(latency: ReadonlyMap<number, number>, q: number): number {
  let total = 0;
  for (const count of latency.values()) total += count;
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const i of [...latency.keys()].sort((a, b) => a - b)) {
    seen += latency.get(i)!;
    if (seen >= rank) return Math.round(latencyBucketBound(i) * 1000) / 1000;
  }
  return 0;
}

/** The answer form of summed counters over `windowSeconds`. */
export function versionStatsOf(model: string, version: string, totals: StatsTotals, windowSeconds: number): VersionStats {
  let rows = 0;
  for (const count of totals.classes.values()) rows += count;
  const classShares: Record<string, number> = {};
  for (const [label, count] of [...totals.classes].sort(([a], [b]) => a.localeCompare(b))) classShares[label] = count / rows;
  return {
    model, version, windowSeconds,
    requests: totals.requests,
    requestsPerSecond: windowSeconds > 0 ? totals.requests / windowSeconds : 0,
    errors: totals.errors,
    errorRate: totals.requests > 0 ? totals.errors / totals.requests : 0,
    latencyMs: { p50: latencyQuantile(totals.latency, 0.5), p95: latencyQuantile(totals.latency, 0.95), p99: latencyQuantile(totals.latency, 0.99) },
    classShares,
  };
}

/** Reads and writes the per-second buckets. */
export class VersionStatsStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #ttlSeconds: number;

  /** @param ttlSeconds - life of a second's bucket. @defaultValue 7200 */
  constructor(redis: Redis, keys: RedisKeys, ttlSeconds: number = DEFAULT_VERSION_STATS_TTL_SECONDS) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttlSeconds = ttlSeconds;
  }

  /** Adds increments in one pipeline (one round trip). */
  async add(increments: readonly StatsIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const { model, version, second, fields } of increments) {
      const key = this.#keys.versionStats(model, version, second);
      for (const [field, amount] of fields) pipeline.hincrby(key, field, amount);
      pipeline.expire(key, this.#ttlSeconds);
    }
    await pipeline.exec().then(throwOnPipelineError);
  }

  /** Sums the seconds from `fromMs` to `toMs` (both inclusive, at most MAX_STATS_WINDOW_SECONDS, the latest kept). */
  async totals(model: string, version: string, fromMs: number, toMs: number): Promise<StatsTotals> {
    const last = Math.floor(toMs / 1000);
    const first = Math.max(Math.floor(fromMs / 1000), last - MAX_STATS_WINDOW_SECONDS + 1);
    const totals: StatsTotals = { requests: 0, errors: 0, latency: new Map(), classes: new Map() };
    if (first > last) return totals;
    const pipeline = this.#redis.pipeline();
    for (let s = first; s <= last; s++) pipeline.hgetall(this.#keys.versionStats(model, version, s));
    const replies = await pipeline.exec();
    throwOnPipelineError(replies);
    for (const [, hash] of replies ?? []) {
      for (const [field, text] of Object.entries((hash ?? {}) as Record<string, string>)) {
        const count = Number(text);
        if (!Number.isFinite(count)) continue;
        if (field === 'n') totals.requests += count;
        else if (field === 'e') totals.errors += count;
        else if (field.startsWith('l:')) {
          const i = Number(field.slice(2));
          totals.latency.set(i, (totals.latency.get(i) ?? 0) + count);
        } else if (field.startsWith('c:')) {
          const label = field.slice(2);
          totals.classes.set(label, (totals.classes.get(label) ?? 0) + count);
        }
      }
    }
    return totals;
  }

  /** The figures of the last `windowSeconds` seconds up to `now` (the current, partial second included). */
  async window(model: string, version: string, windowSeconds: number, now: number = Date.now()): Promise<VersionStats> {
    const totals = await this.totals(model, version, now - (windowSeconds - 1) * 1000, now);
    return versionStatsOf(model, version, totals, windowSeconds);
  }
}
