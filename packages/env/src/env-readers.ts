/**
 * Typed readers for environment variables. Each app's `config.ts` uses them once at start-up;
 * a bad value stops the process with a message naming the variable and what it accepts.
 */

import { ConfigError } from './config-error.js';

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
