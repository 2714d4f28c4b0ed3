import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';
import { redisScript } from '@inferq/redis';
import type { GpuInfo } from './device.js';

/**
 * Spreads worker replicas over GPUs with no per-replica configuration: each device has a
 * lease set in Redis (`{prefix}:device-lease:gpu-{uuid}`, member = worker id, score = expiry ms);
 * a starting worker atomically drops expired leases and joins the device with the fewest live
 * holders (lowest index on ties). N replicas on G GPUs end up ⌈N/G⌉ or ⌊N/G⌋ per GPU, and the
 * lease of a crashed worker frees itself after `ttlMs`. The choice is one script,
 * `packages/redis/src/commands/acquire-device-lease.lua`.
 */
/** A held device lease; renew it well within `ttlMs`, release it on shutdown. */
export interface DeviceLease {
  gpu: GpuInfo;
  key: string;
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** Leases the least-loaded GPU of `gpus` for `workerId`. */
export async function acquireDeviceLease(
  redis: Redis, keys: RedisKeys, gpus: readonly GpuInfo[], workerId: string, ttlMs: number, now: () => number = Date.now,
): Promise<DeviceLease> {
  if (gpus.length === 0) throw new Error('no GPU to lease');
  const leaseKeys = gpus.map((gpu) => keys.deviceLease(`gpu-${gpu.uuid}`));
  const chosen = Number(await redisScript<number>(redis, 'acquire-device-lease.lua')(leaseKeys, [now(), now() + ttlMs, workerId, ttlMs * 4]));
  const gpu = gpus[chosen]!;
  const key = leaseKeys[chosen]!;
  let released = false;
  return {
    gpu,
    key,
    async renew() {
      if (released) return;
      await redis.multi().zadd(key, now() + ttlMs, workerId).pexpire(key, ttlMs * 4).exec();
    },
    async release() {
      if (released) return;
      released = true;
      await redis.zrem(key, workerId);
    },
  };
}

/** Live holders per lease key (for status and tests). */
export async function leaseHolders(redis: Redis, key: string, now: number = Date.now()): Promise<string[]> {
  return redis.zrangebyscore(key, now, '+inf');
}
