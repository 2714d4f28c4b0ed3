import type { Redis } from 'ioredis';
import type { MonitorWindowKind, RedisKeys } from '@inferq/contract';
import { redisScript, type RedisScript } from '@inferq/redis';

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

type RawWindow = [number, number, string[]];

/**
 * Count- and/or time-based windows of one kind, held in Redis (keys in redis-keys.ts). Items are
 * appended and a full or due window is closed atomically (`commands/window-append-2.lua`,
 * `commands/window-close-due-2.lua` in packages/redis): several monitors feed the same window
 * (they share the stream through a consumer group), and exactly one of them gets each closed window.
 */
export class WindowBuffer {
  readonly #append: RedisScript<RawWindow[]>;
  readonly #closeDue: RedisScript<RawWindow | null>;
  readonly #keys: RedisKeys;
  readonly #kind: MonitorWindowKind;
  readonly #size: number;
  readonly #maxAgeMs: number;

  /**
   * @param size - rows per window (0: by time only).
   * @param maxAgeMs - a window closes this long after its first item (0: by count only).
   */
  constructor(redis: Redis, keys: RedisKeys, kind: MonitorWindowKind, size: number, maxAgeMs: number) {
    this.#append = redisScript(redis, 'window-append-2.lua');
    this.#closeDue = redisScript(redis, 'window-close-due-2.lua');
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
    const closed = await this.#append(this.#windowKeys(model, version), args);
    return closed.map(toClosed);
  }

  /** Closes a version's window if it is due by time (no-op for count-only windows). */
  async closeIfDue(model: string, version: string, now = Date.now()): Promise<ClosedWindow | undefined> {
    if (this.#maxAgeMs <= 0) return undefined;
    const closed = await this.#closeDue(this.#windowKeys(model, version), [this.#maxAgeMs, now]);
    return closed ? toClosed(closed) : undefined;
  }

  #windowKeys(model: string, version: string): string[] {
    return [this.#keys.monitorWindow(this.#kind, model, version), this.#keys.monitorWindowMeta(this.#kind, model, version)];
  }
}

const toClosed = ([seq, startedAt, items]: RawWindow): ClosedWindow => ({ seq: Number(seq), startedAt: Number(startedAt), items });
