import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';
import type { PairComparison } from './output-comparison.js';

/** The counters of one version against one baseline, and what they mean. */
export interface VersionComparison {
  /** The version compared (the shadow). */
  version: string;
  /** The version it is compared with (the primary that served the same inputs). */
  baseline: string;
  /** Pairs (predictions) compared. */
  pairs: number;
  /** Rows compared for agreement. */
  samples: number;
  /** Share of rows on which both chose the same class; null before any. */
  agreement: number | null;
  /** Mean |a − b| over the floating-point output elements compared; null before any. */
  meanAbsDiff: number | null;
  /** Epoch ms of the last pair added (0 = none). */
  updatedAt: number;
  /**
   * Output drift of the version against its baseline on the same rows: each one's share of rows
   * per class, and the total variation distance between the two (½ Σ |p − q|, 0 = same
   * distribution, 1 = disjoint); null before any.
   */
  outputDrift: { baseline: Record<string, number>; version: Record<string, number>; totalVariation: number } | null;
}

/** Most distinct classes counted per side of one pair (the hash stays bounded by the model's classes). */
const MAX_CLASSES = 64;

/**
 * Pair counters per (model, version, baseline) in `{prefix}:comparison:{model}:{version}:{baseline}`
 * with an index per model (see redis-keys.ts). Written by whoever records the second outcome of a
 * pair (PredictionStore.finish), read by the API. Counters, not samples: constant memory
 * whatever the traffic, and the agreement of any period is a difference of two reads.
 */
export class ComparisonStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Adds compared pairs (one pipeline for all). */
  async add(entries: ReadonlyArray<{ model: string; version: string; baseline: string; comparison: PairComparison }>): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.#redis.pipeline();
    const now = Date.now();
    for (const { model, version, baseline, comparison } of entries) {
      const key = this.#keys.comparison(model, version, baseline);
      pipeline.hincrby(key, 'pairs', 1)
        .hincrby(key, 'samples', comparison.samples)
        .hincrby(key, 'agreements', comparison.agreements)
        .hincrbyfloat(key, 'absDiffSum', comparison.absDiffSum)
        .hincrby(key, 'absDiffCount', comparison.absDiffCount)
        .hset(key, 'updatedAt', now);
      for (const [side, classes] of [['b', comparison.baselineClasses], ['v', comparison.candidateClasses]] as const) {
        for (const [label, rows] of Object.entries(classes).slice(0, MAX_CLASSES)) pipeline.hincrby(key, `class:${side}:${label.slice(0, 32)}`, rows);
      }
      pipeline.sadd(this.#keys.comparisonIndex(model), `${version}:${baseline}`);
    }
    const results = await pipeline.exec();
    for (const [error] of results ?? []) if (error) throw error;
  }

  /** The counters of `version` against `baseline` (zeros when nothing was compared yet). */
  async get(model: string, version: string, baseline: string): Promise<VersionComparison> {
    return fromHash(version, baseline, await this.#redis.hgetall(this.#keys.comparison(model, version, baseline)));
  }

  /** Every (version, baseline) pair compared for `model`. */
  async list(model: string): Promise<VersionComparison[]> {
    const members = await this.#redis.smembers(this.#keys.comparisonIndex(model));
    if (members.length === 0) return [];
    const pairs = members.map((m) => m.split(':') as [string, string]);
    const pipeline = this.#redis.pipeline();
    for (const [version, baseline] of pairs) pipeline.hgetall(this.#keys.comparison(model, version, baseline));
    const results = (await pipeline.exec()) ?? [];
    return pairs.map(([version, baseline], i) => fromHash(version, baseline, (results[i]?.[1] ?? {}) as Record<string, string>));
  }

  /** Forgets every comparison of `model` (a new rollout starts from zero). */
  async clear(model: string): Promise<void> {
    const members = await this.#redis.smembers(this.#keys.comparisonIndex(model));
    const keys = members.map((m) => m.split(':') as [string, string]).map(([v, b]) => this.#keys.comparison(model, v, b));
    await this.#redis.del(this.#keys.comparisonIndex(model), ...keys);
  }
}

function fromHash(version: string, baseline: string, hash: Record<string, string>): VersionComparison {
  const samples = Number(hash.samples ?? 0);
  const absDiffCount = Number(hash.absDiffCount ?? 0);
  const shares = (side: 'b' | 'v') => {
    const counts = Object.entries(hash).filter(([field]) => field.startsWith(`class:${side}:`)).map(([field, n]) => [field.slice(8), Number(n)] as const);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    return Object.fromEntries(counts.map(([label, n]) => [label, total > 0 ? n / total : 0]));
  };
  const b = shares('b'), v = shares('v');
  const labels = new Set([...Object.keys(b), ...Object.keys(v)]);
  const totalVariation = [...labels].reduce((sum, label) => sum + Math.abs((b[label] ?? 0) - (v[label] ?? 0)), 0) / 2;
  return {
    version, baseline,
    pairs: Number(hash.pairs ?? 0),
    samples,
    agreement: samples > 0 ? Number(hash.agreements ?? 0) / samples : null,
    meanAbsDiff: absDiffCount > 0 ? Number(hash.absDiffSum ?? 0) / absDiffCount : null,
    updatedAt: Number(hash.updatedAt ?? 0),
    outputDrift: labels.size > 0 ? { baseline: b, version: v, totalVariation } : null,
  };
}
