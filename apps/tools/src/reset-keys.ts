/**
 * `npm run keys:reset`: the local way out of a lock-out. Deletes every API key stored in Redis
 * (those created with `POST /v1/admin/keys`, kept under DATA_DIR across restarts). Access control
 * is then off again, unless ADMIN_API_KEY or API_KEYS is set; a running API notices within a
 * second (its key cache). Needs direct access to Redis, which is the point: no key is asked for.
 *
 *   npm run keys:reset                                  # the embedded Redis of DATA_DIR (./.data), running or not
 *   DATA_DIR=/srv/inferq npm run keys:reset
 *   npm run keys:reset -- --redis redis://127.0.0.1:6379 [--prefix inferq]   # any Redis (or REDIS_URL)
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { redisKeys } from '@inferq/contract';
import { readKeyPrefix } from '@inferq/env';
import { acquireDataDirLock, createRedisConnection, readLiveLock, startEmbeddedRedis, waitUntilReady } from '@inferq/redis';

const USAGE = 'usage: npm run keys:reset -- [--redis redis://host:port] [--prefix inferq]   (default: the embedded Redis of DATA_DIR)';

async function deleteStoredKeys(url: string, prefix: string): Promise<number> {
  const redis = createRedisConnection(url, 'producer');
  try {
    await waitUntilReady(redis, 5_000);
    const key = redisKeys(prefix).apiKeys;
    const [count] = await Promise.all([redis.hlen(key), redis.del(key)]);
    return count;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { redis: { type: 'string' }, prefix: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const prefix = values.prefix ?? readKeyPrefix(process.env);
  let url = values.redis ?? process.env.REDIS_URL;
  let where = url;
  let cleanup = async () => {};
  if (!url) {
    const dataDir = resolve(process.env.DATA_DIR ?? './.data');
    const running = readLiveLock(dataDir);
    if (running?.redisPort) {
      url = `redis://127.0.0.1:${running.redisPort}`;
      where = `the embedded Redis of the running launcher (pid ${running.launcherPid}, ${url})`;
    } else {
      const dir = join(dataDir, 'redis');
      if (!existsSync(dir)) {
        console.log(`keys:reset: nothing to reset: ${dir} does not exist (no embedded Redis has run with DATA_DIR=${dataDir})`);
        return;
      }
      // Nobody runs it: start it on its data directory just for this, holding the launcher's lock.
      const lock = await acquireDataDirLock(dataDir, { warn: (obj, msg) => console.warn(`keys:reset: ${msg}`, obj) });
      const server = await startEmbeddedRedis({ dir }).catch((error: unknown) => {
        lock.release();
        throw error;
      });
      url = server.url;
      where = `the embedded Redis data in ${dir}`;
      cleanup = async () => {
        await server.stop();
        lock.release();
      };
    }
  }
  try {
    const removed = await deleteStoredKeys(url, prefix);
    console.log(`keys:reset: removed ${removed} stored API key(s) from ${where} (prefix "${prefix}").`);
    const configured = ['ADMIN_API_KEY', 'API_KEYS'].filter((name) => process.env[name]?.trim());
    console.log(configured.length > 0
      ? `keys:reset: access control stays ON: ${configured.join(' and ')} set in this environment (the API's too, if it has them).`
      : 'keys:reset: access control is OFF now, unless the API is started with ADMIN_API_KEY or API_KEYS.');
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(`keys:reset: ${(error as Error).message}`);
  process.exit(1);
});
