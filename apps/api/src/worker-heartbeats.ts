import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';

/** A registry member whose heartbeat has been gone this long is removed (a crashed worker's). */
const PRUNE_AFTER_MS = 10 * 60_000;

/**
 * How long a scan's answer is reused while the registry is empty: the scan only finds workers
 * older than the registry, and with no worker at all (scaled to zero) it would otherwise walk the
 * whole keyspace on every status read and /metrics scrape.
 */
const SCAN_REUSE_MS = 30_000;

const scanned = new WeakMap<Redis, Map<string, { at: number; texts: Promise<string[]> }>>();

/**
 * The heartbeat JSON texts of the live workers. Workers list themselves in the `{prefix}:workers`
 * registry with each heartbeat, so this reads one sorted set and the heartbeats it names: it never
 * scans the keyspace, which holds a record per retained prediction (millions on a busy service).
 * Members whose heartbeat key expired long ago are pruned on the way. While the registry is empty
 * (workers older than it, during an upgrade; or no worker at all) it falls back to scanning for
 * heartbeat keys, at most once per {@link SCAN_REUSE_MS} per connection and prefix.
 */
export async function readWorkerHeartbeats(redis: Redis, keys: RedisKeys): Promise<string[]> {
  const ids = await redis.zrange(keys.workers, 0, -1);
  if (ids.length === 0) return reusedScan(redis, keys);
  const texts = await redis.mget(...ids.map((id) => keys.workerHeartbeat(id)));
  if (texts.some((text) => text === null)) await redis.zremrangebyscore(keys.workers, '-inf', Date.now() - PRUNE_AFTER_MS);
  return texts.filter((text): text is string => text !== null);
}

function reusedScan(redis: Redis, keys: RedisKeys): Promise<string[]> {
  const byPrefix = scanned.get(redis) ?? new Map<string, { at: number; texts: Promise<string[]> }>();
  scanned.set(redis, byPrefix);
  const cached = byPrefix.get(keys.workers);
  if (cached && Date.now() - cached.at < SCAN_REUSE_MS) return cached.texts;
  const texts = scanHeartbeats(redis, keys);
  byPrefix.set(keys.workers, { at: Date.now(), texts });
  // A failed scan (Redis down) is not reused: the next read tries again.
  texts.catch(() => byPrefix.delete(keys.workers));
  return texts;
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
