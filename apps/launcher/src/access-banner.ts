/**
 * The start-up banner's access-control line: whether keys are required, and why. Keys created
 * with `POST /v1/admin/keys` live in Redis (under DATA_DIR with the embedded Redis) and so outlive
 * a restart without ADMIN_API_KEY; without this line a user who once tried ADMIN_API_KEY gets
 * 401s with no word of why.
 */
import { redisKeys } from '@inferq/contract';
import { readKeyPrefix, readList, readString, type Env } from '@inferq/env';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';

/** Counts keys stored in Redis (revoked ones too: they keep access control on). */
export async function countStoredKeys(redisUrl: string, env: Env): Promise<number> {
  const redis = createRedisConnection(redisUrl, 'producer', { lazyConnect: false });
  try {
    await waitUntilReady(redis, 5_000);
    return await redis.hlen(redisKeys(readKeyPrefix(env)).apiKeys);
  } finally {
    redis.disconnect();
  }
}

/** One or two banner lines saying whether access control is on, and why. */
export function describeAccessControl(storedKeys: number, env: Env): string[] {
  const reasons: string[] = [];
  if (readString(env, 'ADMIN_API_KEY') !== undefined) reasons.push('ADMIN_API_KEY is set');
  const configured = readList(env, 'API_KEYS').length;
  if (configured > 0) reasons.push(`API_KEYS names ${configured} key(s)`);
  if (storedKeys > 0) reasons.push(`${storedKeys} key(s) stored in Redis by POST /v1/admin/keys (they outlive restarts)`);
  if (reasons.length === 0) {
    return ['  access      OFF: no API key configured or stored; every route is open to this machine'];
  }
  const lines = [`  access      ON: ${reasons.join('; ')}. Send "Authorization: Bearer <key>".`];
  if (storedKeys > 0) lines.push('              Lost the key? Stop inferq and run `npm run keys:reset` (deletes the stored keys).');
  return lines;
}
