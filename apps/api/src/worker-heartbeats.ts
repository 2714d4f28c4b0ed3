import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';

/** A registry member whose heartbeat has been gone this long is removed (a crashed worker's). */
const PRUNE_AFTER_MS = 10 * 60_000;

/**
 * The heartbeat JSON texts of the live workers. Workers list themselves in the `{prefix}:workers`
 * registry with each heartbeat, so this reads one sorted set and the heartbeats it names: it never
 * scans the keyspace, which holds a record per retained prediction (millions on a busy service).
 * Members whose heartbeat key expired long ago are pruned on the way. While the registry is empty
 * (workers older than it, during an upgrade) it falls back to scanning for heartbeat keys.
 */
export async function readWorkerHeartbeats(redis: Redis, keys: RedisKeys): Promise<string[]> {
  const ids = await redis.zrange(keys.workers, 0, -1);
  if (ids.length === 0) return scanHeartbeats(redis, keys);
  const texts = await redis.mget(...ids.map((id) => keys.workerHeartbeat(id)));
  if (texts.some((text) => text === null)) await redis.zremrangebyscore(keys.workers, '-inf', Date.now() - PRUNE_AFTER_MS);
  return texts.filter((text): text is string => text !== null);
}

/** The registry-less way (bounded): heartbeat keys found by SCAN. */
async function scanHeartbeats(redis: Redis, keys: RedisKeys): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  let rounds = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', keys.workerHeartbeatPattern, 'COUNT', 1_000);
    for (const key of batch) found.add(key);
    cursor = next;
  } while (cursor !== '0' && ++rounds < 1_000 && found.size < 10_000);
  if (found.size === 0) return [];
  return (await redis.mget(...found)).filter((text): text is string => text !== null);
}
