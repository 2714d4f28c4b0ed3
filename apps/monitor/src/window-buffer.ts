import type { Redis } from 'ioredis';
import type { MonitorWindowKind, RedisKeys } from '@inferq/contract';

/** A window that just closed: its sequence number per version and its items (JSON). */
export interface ClosedWindow {
  seq: number;
  /** When the monitor put its first item in (epoch ms). */
  startedAt: number;
  items: string[];
}

/** An item to add, with the rows it counts for. */
export interface BufferedItem {
  json: string;
  rows: number;
}

/**
 * Appends items to the open window of a version and closes it, atomically, once it holds `size`
 * rows or its first item is `maxAgeMs` old: several monitors feed the same window (they share the
 * stream through a consumer group), and exactly one of them gets each closed window.
 * KEYS: list, meta hash. ARGV: size, maxAgeMs, now, then (item JSON, rows) pairs.
 */
const APPEND_LUA = `
local size, maxAge, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local closed = {}
for i = 4, #ARGV, 2 do
  redis.call('RPUSH', KEYS[1], ARGV[i])
  local rows = redis.call('HINCRBY', KEYS[2], 'rows', tonumber(ARGV[i + 1]))
  redis.call('HSETNX', KEYS[2], 'startedAt', now)
  local started = tonumber(redis.call('HGET', KEYS[2], 'startedAt'))
  if (size > 0 and rows >= size) or (maxAge > 0 and now - started >= maxAge) then
    local items = redis.call('LRANGE', KEYS[1], 0, -1)
    redis.call('DEL', KEYS[1])
    redis.call('HDEL', KEYS[2], 'rows', 'startedAt')
    closed[#closed + 1] = { redis.call('HINCRBY', KEYS[2], 'seq', 1), started, items }
  end
end
return closed`;

/** Closes the open window when its first item is `maxAgeMs` old. KEYS: list, meta. ARGV: maxAgeMs, now. */
const CLOSE_DUE_LUA = `
local started = redis.call('HGET', KEYS[2], 'startedAt')
if not started or tonumber(ARGV[2]) - tonumber(started) < tonumber(ARGV[1]) then return false end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], 'rows', 'startedAt')
if #items == 0 then return false end
return { redis.call('HINCRBY', KEYS[2], 'seq', 1), tonumber(started), items }`;

type RawWindow = [number, number, string[]];

interface WindowScripts {
  inferqWindowAppend(numKeys: number, ...args: Array<string | number>): Promise<RawWindow[]>;
  inferqWindowCloseDue(numKeys: number, ...args: Array<string | number>): Promise<RawWindow | null>;
}

/** Count- and/or time-based windows of one kind, held in Redis (keys in redis-keys.ts). */
export class WindowBuffer {
  readonly #redis: Redis & WindowScripts;
  readonly #keys: RedisKeys;
  readonly #kind: MonitorWindowKind;
  readonly #size: number;
  readonly #maxAgeMs: number;

  /**
   * @param size - rows per window (0: by time only).
   * @param maxAgeMs - a window closes this long after its first item (0: by count only).
   */
  constructor(redis: Redis, keys: RedisKeys, kind: MonitorWindowKind, size: number, maxAgeMs: number) {
    if (!('inferqWindowAppend' in redis)) {
      redis.defineCommand('inferqWindowAppend', { lua: APPEND_LUA });
      redis.defineCommand('inferqWindowCloseDue', { lua: CLOSE_DUE_LUA });
    }
    this.#redis = redis as Redis & WindowScripts;
    this.#keys = keys;
    this.#kind = kind;
    this.#size = size;
    this.#maxAgeMs = maxAgeMs;
  }

  /** Adds items (in order) to a version's window; returns the windows they closed. */
  async append(model: string, version: string, items: readonly BufferedItem[], now = Date.now()): Promise<ClosedWindow[]> {
    if (items.length === 0) return [];
    const args: Array<string | number> = [this.#size, this.#maxAgeMs, now];
    for (const item of items) args.push(item.json, Math.max(0, item.rows));
    const closed = await this.#redis.inferqWindowAppend(2, this.#keys.monitorWindow(this.#kind, model, version), this.#keys.monitorWindowMeta(this.#kind, model, version), ...args);
    return closed.map(toClosed);
  }

  /** Closes a version's window if it is due by time (no-op for count-only windows). */
  async closeIfDue(model: string, version: string, now = Date.now()): Promise<ClosedWindow | undefined> {
    if (this.#maxAgeMs <= 0) return undefined;
    const closed = await this.#redis.inferqWindowCloseDue(2, this.#keys.monitorWindow(this.#kind, model, version), this.#keys.monitorWindowMeta(this.#kind, model, version), this.#maxAgeMs, now);
    return closed ? toClosed(closed) : undefined;
  }
}

const toClosed = ([seq, startedAt, items]: RawWindow): ClosedWindow => ({ seq: Number(seq), startedAt: Number(startedAt), items });
