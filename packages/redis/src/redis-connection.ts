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

/** Opens an ioredis connection for `role`. `url` is `redis://[:password@]host:port[/db]`. */
export function createRedisConnection(url: string, role: ConnectionRole, overrides: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    retryStrategy: reconnectDelay,
    connectionName: `inferq-${role}`,
    ...(role === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true }),
    ...overrides,
  };
  return new Redis(url, options);
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
