/**
 * Typed readers for environment variables. Each app's `config.ts` uses them once at start-up;
 * a bad value stops the process with a message naming the variable and what it accepts.
 */

/** A configuration value is missing or malformed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const present = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** A string, or `fallback` when unset or empty. */
export function readString(env: Env, name: string, fallback: string): string;
export function readString(env: Env, name: string, fallback?: undefined): string | undefined;
export function readString(env: Env, name: string, fallback?: string): string | undefined {
  return present(env, name) ?? fallback;
}

/** An integer in [min, max]. */
export function readInteger(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(`${name}="${raw}" must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

/** A finite number in [min, max] (decimals allowed, e.g. a rate). */
export function readNumber(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(raw) || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw new ConfigError(`${name}="${raw}" must be a number from ${range.min} to ${range.max}`);
  }
  return value;
}

/** One of a fixed set of values. */
export function readChoice<T extends string>(env: Env, name: string, fallback: T, choices: readonly T[]): T {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name}="${raw}" must be one of: ${choices.join(', ')}`);
  return raw as T;
}

/** `true/false/1/0/yes/no`. */
export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}="${raw}" must be true or false`);
}

/** A comma-separated list; empty when unset. */
export function readList(env: Env, name: string): string[] {
  return (present(env, name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** A `redis://` or `rediss://` URL. */
export function readRedisUrl(env: Env, name: string): string | undefined {
  const raw = present(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected redis://host:port)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(`${name} must start with redis:// or rediss://`);
  return raw;
}

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
