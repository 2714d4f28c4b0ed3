/**
 * The one loader of our Redis Lua scripts (as BullMQ's `src/commands/`): each script is a file in
 * `commands/` named `<name>-<numberOfKeys>.lua` (or `<name>.lua` when the caller passes any number
 * of keys), with a header naming its KEYS and ARGV. A line `--- @include "x"` is replaced by
 * `commands/includes/x.lua`. The text is read once per process and registered per connection with
 * ioredis `defineCommand`, which sends EVALSHA and falls back to EVAL after a Redis restart.
 *
 * Every key a script touches is passed in KEYS (never built inside the script), so the scripts run
 * on Redis Cluster; the keys of one call share the key prefix, so they land in one hash slot when
 * the prefix is hash-tagged (`{inferq}`).
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** An argument of a script call. */
export type ScriptArg = string | number | Buffer;

/** One script bound to a connection: `(keys, args) => reply`. */
export type RedisScript<Reply> = (keys: readonly string[], args?: readonly ScriptArg[]) => Promise<Reply>;

const COMMANDS_DIR = new URL('./commands/', import.meta.url);
const FILE_NAME = /^([a-z][a-z0-9-]*?)(?:-(\d+))?\.lua$/;
const INCLUDE = /^--- @include "([a-z0-9-]+)"$/gm;

interface ScriptSource {
  /** ioredis command name. */
  command: string;
  lua: string;
  /** Fixed KEYS count from the file name; undefined = any. */
  numberOfKeys: number | undefined;
}

const sources = new Map<string, ScriptSource>();

/** Reads (once) and parses `commands/<file>`. Throws when the name or an include is wrong. */
export function scriptSource(file: string): ScriptSource {
  let source = sources.get(file);
  if (source) return source;
  const match = FILE_NAME.exec(file);
  if (!match) throw new Error(`Lua script "${file}" is not named <name>[-<numberOfKeys>].lua`);
  const lua = readFileSync(new URL(file, COMMANDS_DIR), 'utf8')
    .replace(INCLUDE, (_, name: string) => readFileSync(new URL(`includes/${name}.lua`, COMMANDS_DIR), 'utf8'));
  const command = `inferq_${match[1]!.replaceAll('-', '_')}`;
  source = { command, lua, numberOfKeys: match[2] === undefined ? undefined : Number(match[2]) };
  sources.set(file, source);
  return source;
}

/**
 * Binds `commands/<file>` to `redis` (defining it on that connection on first use).
 * Keys and arguments stay apart at every call site, so a key can never hide in ARGV.
 */
export function redisScript<Reply>(redis: Redis, file: string): RedisScript<Reply> {
  const { command, lua, numberOfKeys } = scriptSource(file);
  // The key count travels with each call (numberOfKeys left undefined), so one definition serves
  // fixed and variable key counts alike.
  if (!(command in redis)) redis.defineCommand(command, { lua });
  const call = (redis as unknown as Record<string, (...args: ScriptArg[]) => Promise<Reply>>)[command]!.bind(redis);
  return (keys, args = []) => {
    if (numberOfKeys !== undefined && keys.length !== numberOfKeys) {
      return Promise.reject(new Error(`${file} takes ${numberOfKeys} keys, got ${keys.length}`));
    }
    return call(keys.length, ...keys, ...args);
  };
}
