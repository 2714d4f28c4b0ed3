/**
 * Per-subject rate limit shared by every API replica: GCRA (the generic cell rate algorithm, as in
 * redis-cell) in one Lua script, one key per subject (`{prefix}:rate-limit:{subject}`, see
 * redis-keys.ts) holding the theoretical arrival time. It allows `burst` requests at once and
 * `perSecond` on average, spaces them smoothly (no double burst at window edges, unlike a fixed
 * window), and tells exactly when the next request will pass. Redis's clock is used, so replicas
 * with skewed clocks agree.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';
import { redisCall } from '../redis-call.js';

// KEYS[1] = subject key; ARGV[1] = emission interval (ms per request), ARGV[2] = burst.
// Returns 0 when allowed, else the milliseconds until a request would be allowed.
const GCRA = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
local allow_at = next_tat - interval * burst
if now < allow_at then return math.ceil(allow_at - now) end
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', math.ceil(next_tat - now))
return 0
`;

export interface RateLimit {
  /** Requests per second on average; 0 = no limit. */
  perSecond: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

type GcraRedis = Redis & { inferqGcra(key: string, interval: string, burst: string): Promise<number> };

export class RateLimiter {
  readonly #redis: GcraRedis;
  readonly #keys: RedisKeys;
  readonly #limit: Readonly<RateLimit>;
  readonly #timeoutMs: number;

  constructor(redis: Redis, keys: RedisKeys, limit: RateLimit, timeoutMs: number) {
    // defineCommand sends EVALSHA and falls back to EVAL once per connection.
    if (!('inferqGcra' in redis)) redis.defineCommand('inferqGcra', { numberOfKeys: 1, lua: GCRA });
    this.#redis = redis as GcraRedis;
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
      this.#redis.inferqGcra(this.#keys.rateLimit(subject), interval, String(this.#limit.burst)));
  }
}
