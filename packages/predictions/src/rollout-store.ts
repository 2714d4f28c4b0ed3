import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FINAL_ROLLOUT_STATUSES, type RedisKeys, type Rollout } from '@inferq/contract';
import { redisScript, type RedisScript } from '@inferq/redis';

/** Rollout ids kept per model (list `{prefix}:rollouts:{model}`). */
export const ROLLOUTS_KEPT = 100;
/** Retention of a finished rollout, seconds (30 days). */
export const FINAL_ROLLOUT_TTL_SECONDS = 30 * 86_400;

/** What only the driver needs, stored beside the answer fields. */
export interface RolloutInternals {
  /** The traffic policy body in force before the rollout (what a rollback writes back). */
  basePolicy: unknown;
  /** Comparison counters of the candidate when its step began (the step's pairs are the difference). */
  pairsAtStepStart: { samples: number; agreeing: number };
  /** Status to return to on resume. */
  pausedFrom?: 'running' | 'waiting_approval';
}

/** A rollout as stored: the answer plus the driver's internals. */
export type StoredRollout = Rollout & RolloutInternals;

/** A rollout read for a compare-and-set write. */
export interface VersionedRollout {
  rollout: StoredRollout;
  seq: string;
}

/** A new rollout id: time-ordered, 16 hex digits of randomness. */
export function newRolloutId(now: number = Date.now()): string {
  return `ro_${now.toString(36)}${randomBytes(5).toString('hex')}`;
}

/** Rollout ids are checked before they become part of a key. */
export const ROLLOUT_ID_PATTERN = /^ro_[a-z0-9]{8,32}$/;

/**
 * Rollouts in Redis (keys in redis-keys.ts): one hash per rollout (`json`, `seq`), the model's
 * list of ids, its active-rollout slot (SET NX: one at a time) and the set of models with an
 * active rollout. Every write after the first is a compare-and-set on `seq`, so the API (approve,
 * pause, resume, abort) and the driving monitor never overwrite each other's change.
 */
export class RolloutStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #create: RedisScript<string>;
  readonly #update: RedisScript<number>;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
    this.#create = redisScript(redis, 'rollout-create-4.lua');
    this.#update = redisScript(redis, 'rollout-update-3.lua');
  }

  /** Stores a new rollout; returns the id of the model's active rollout instead when it has one. */
  async create(rollout: StoredRollout): Promise<{ created: true } | { created: false; activeId: string }> {
    const k = this.#keys;
    const active = await this.#create(
      [k.rolloutActive(rollout.model), k.rollout(rollout.model, rollout.id), k.rollouts(rollout.model), k.rolloutModels],
      [rollout.id, JSON.stringify(rollout), rollout.model, ROLLOUTS_KEPT],
    );
    return active === '' ? { created: true } : { created: false, activeId: active };
  }

  /** A rollout and its write counter; undefined when absent. */
  async get(model: string, id: string): Promise<VersionedRollout | undefined> {
    const [json, seq] = await this.#redis.hmget(this.#keys.rollout(model, id), 'json', 'seq');
    if (json === null || json === undefined || seq === null || seq === undefined) return undefined;
    return { rollout: JSON.parse(json) as StoredRollout, seq };
  }

  /** Writes `rollout` if it is unchanged since `seq` was read; false when someone wrote first. */
  async update(rollout: StoredRollout, seq: string): Promise<boolean> {
    const k = this.#keys;
    const final = FINAL_ROLLOUT_STATUSES.has(rollout.status);
    const written = await this.#update(
      [k.rollout(rollout.model, rollout.id), k.rolloutActive(rollout.model), k.rolloutModels],
      [seq, JSON.stringify(rollout), final ? '1' : '0', rollout.id, rollout.model, FINAL_ROLLOUT_TTL_SECONDS],
    );
    return written !== 0;
  }

  /** Id of the model's active rollout. */
  async activeId(model: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.rolloutActive(model))) ?? undefined;
  }

  /** Models with an active rollout. */
  async activeModels(): Promise<string[]> {
    return this.#redis.smembers(this.#keys.rolloutModels);
  }

  /** The model's rollouts, newest first (those still stored). */
  async list(model: string, limit = ROLLOUTS_KEPT): Promise<StoredRollout[]> {
    const ids = await this.#redis.lrange(this.#keys.rollouts(model), 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(this.#keys.rollout(model, id), 'json');
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, json]) => (error || typeof json !== 'string' ? [] : [JSON.parse(json) as StoredRollout]));
  }
}
