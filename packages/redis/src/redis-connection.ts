import { Redis, type RedisOptions } from 'ioredis';

/**
 * How a connection is used decides how it behaves while Redis is away:
 * - `producer` (API): fail commands at once so requests get a 503 instead of hanging.
 * - `worker` / `subscriber`: queue commands and retry for ever; BullMQ's blocking calls need
 *   `maxRetriesPerRequest: null`.
 */
export type ConnectionRole = 'producer' | 'worker' | 'subscriber';

/** Reconnect delay: doubles from 50 ms up to 2 s, for ever. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2_000);
}

/** Where Redis is: a URL, and optionally the sentinels that know the current primary. */
export interface RedisTarget {
  /**
   * `REDIS_URL`: `redis://[:password@]host:port[/db]`. With `sentinel`, only its password, db and
   * scheme (`rediss://` = TLS) count; the primary's address comes from the sentinels.
   */
  url: string;
  /** `REDIS_SENTINELS` / `REDIS_SENTINEL_NAME` / `REDIS_SENTINEL_PASSWORD` (see @inferq/env). */
  sentinel?: { sentinels: Array<{ host: string; port: number }>; name: string; password?: string } | undefined;
}

/**
 * Opens an ioredis connection for `role`. `target` is a `redis://[:password@]host:port[/db]` URL,
 * or a {@link RedisTarget} naming sentinels: then the connection asks them for the primary and
 * follows it through a failover (docs/redis-ha.md).
 */
export function createRedisConnection(target: string | RedisTarget, role: ConnectionRole, overrides: RedisOptions = {}): Redis {
  const { url, sentinel } = typeof target === 'string' ? { url: target, sentinel: undefined } : target;
  const options: RedisOptions = {
    retryStrategy: reconnectDelay,
    connectionName: `inferq-${role}`,
    ...(role === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true }),
    ...(sentinel ? sentinelOptions(sentinel) : {}),
    ...overrides,
  };
  return new Redis(url, options);
}

/**
 * ioredis options that find the primary through sentinels. Also, `reconnectOnError`: a connection
 * still on a node that was demoted to replica gets READONLY on writes; reconnecting makes it ask
 * the sentinels again (and resend the command) instead of failing every write until it drops.
 */
function sentinelOptions(sentinel: NonNullable<RedisTarget['sentinel']>): RedisOptions {
  return {
    sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
    name: sentinel.name,
    role: 'master',
    ...(sentinel.password === undefined ? {} : { sentinelPassword: sentinel.password }),
    sentinelRetryStrategy: reconnectDelay,
    // Subscribes to the sentinels' +switch-master, so a failover moves connections at once rather
    // than when the old primary's socket finally errors (a kill -9'd host may never send a RST).
    failoverDetector: true,
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
}

/** Resolves once `redis` is ready, or rejects after `timeoutMs`. */
export async function waitUntilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
