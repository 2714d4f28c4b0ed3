/**
 * Redis Sentinel settings (docs/redis-ha.md): where the sentinels are and which primary to ask for.
 */
import { ConfigError } from './config-error.js';
import { readString, type Env } from './env-readers.js';

/** One Redis Sentinel to ask for the current primary. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/** How to find the Redis primary through Redis Sentinel (docs/redis-ha.md). */
export interface RedisSentinelSettings {
  /** `REDIS_SENTINELS`: `host:port,host:port,…` (IPv6 as `[::1]:26379`; the port defaults to 26379). */
  sentinels: SentinelAddress[];
  /** `REDIS_SENTINEL_NAME`: the master name the sentinels monitor. @defaultValue 'mymaster' */
  name: string;
  /** `REDIS_SENTINEL_PASSWORD`: the sentinels' own password (`requirepass` of the sentinels), when they have one. */
  password?: string;
}

const DEFAULT_SENTINEL_PORT = 26_379;
/** A sane bound: a sentinel deployment has a handful of members, not hundreds. */
const MAX_SENTINELS = 32;

/**
 * Sentinel settings from `REDIS_SENTINELS`, `REDIS_SENTINEL_NAME` and `REDIS_SENTINEL_PASSWORD`;
 * undefined when `REDIS_SENTINELS` is unset (a plain `REDIS_URL` connection).
 */
export function readRedisSentinel(env: Env): RedisSentinelSettings | undefined {
  const raw = readString(env, 'REDIS_SENTINELS');
  if (raw === undefined) {
    for (const name of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD']) {
      if (readString(env, name) !== undefined) throw new ConfigError(`${name} is set but REDIS_SENTINELS is not (e.g. REDIS_SENTINELS=10.0.0.1:26379,10.0.0.2:26379)`);
    }
    return undefined;
  }
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0 || entries.length > MAX_SENTINELS) {
    throw new ConfigError(`REDIS_SENTINELS="${raw}" must list 1 to ${MAX_SENTINELS} host:port addresses, comma-separated`);
  }
  const sentinels = entries.map((entry) => parseAddress(entry, raw));
  const name = readString(env, 'REDIS_SENTINEL_NAME', 'mymaster');
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new ConfigError(`REDIS_SENTINEL_NAME="${name}" must be 1 to 100 letters, digits, '.', '_' or '-'`);
  const password = readString(env, 'REDIS_SENTINEL_PASSWORD');
  return password === undefined ? { sentinels, name } : { sentinels, name, password };
}

function parseAddress(entry: string, raw: string): SentinelAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(entry);
  const port = match?.[3] === undefined ? DEFAULT_SENTINEL_PORT : Number(match[3]);
  if (!match || port < 1 || port > 65_535) {
    throw new ConfigError(`REDIS_SENTINELS="${raw}": "${entry}" is not a host:port address (e.g. redis-sentinel-0:26379 or [::1]:26379)`);
  }
  return { host: (match[1] ?? match[2])!, port };
}
