/**
 * Per-subject rate limit shared by every API replica: GCRA (the generic cell rate algorithm, as in
 * redis-cell) in one Lua script, one key per subject (`{prefix}:rate-limit:{subject}`, see
 * redis-keys.ts) holding the theoretical arrival time. It allows `burst` requests at once and
 * `perSecond` on average, spaces them smoothly (no double burst at window edges, unlike a fixed
 * window), and tells exactly when the next request will pass. Redis's clock is used, so replicas
 * with skewed clocks agree. The script is `packages/redis/src/commands/gcra-1.lua`.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';
import { redisScript, type RedisScript } from '@inferq/redis';
import { redisCall } from '../redis-call.js';

export interface RateLimit {
  /** Requests per second on average; 0 = no limit. */
  perSecond: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

export class RateLimiter {
  readonly #redis: Redis;
  readonly #gcra: RedisScript<number>;
  readonly #keys: RedisKeys;
  readonly #limit: Readonly<RateLimit>;
  readonly #timeoutMs: number;

  constructor(redis: Redis, keys: RedisKeys, limit: RateLimit, timeoutMs: number) {
    this.#redis = redis;
    this.#gcra = redisScript(redis, 'gcra-1.lua');
    this.#keys = keys;
    this.#limit = Object.freeze({ ...limit });
    this.#timeoutMs = timeoutMs;
  }

  get limit(): Readonly<RateLimit> {
    return this.#limit;
  }

  get enabled(): boolean {
    return this.#limit.perSecond > 0;
  }

  /**
   * Counts one request of `subject` (`key:{id}` or `ip:{address}`).
   * @returns 0 when it may go ahead, else the milliseconds until one would.
   */
  async take(subject: string): Promise<number> {
    if (!this.enabled) return 0;
    const interval = (1_000 / this.#limit.perSecond).toFixed(3);
    return redisCall(this.#redis, this.#timeoutMs, () =>
      this.#gcra([this.#keys.rateLimit(subject)], [interval, String(this.#limit.burst)]));
  }
}
