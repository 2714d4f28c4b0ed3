import type { Redis } from 'ioredis';

/** A stream entry: id and flat field list. */
export type StreamEntry = [id: string, fields: string[]];

/** Settings of a consumer-group reader. */
export interface StreamConsumerOptions {
  group: string;
  consumer: string;
  /** Entries per read. @defaultValue 500 */
  count?: number;
  /** Longest block of one read, ms (also the longest wait for `stop`). @defaultValue 1000 */
  blockMs?: number;
  /** Entries another consumer read but did not acknowledge for this long are taken over. @defaultValue 60000 */
  claimIdleMs?: number;
  /** How often to look for such entries. @defaultValue 15000 */
  claimEveryMs?: number;
  /**
   * After a read that returned fewer than `count` entries, wait this long before the next one, so
   * entries gather: each read costs two round trips (read, window append), and a monitor that
   * reads as fast as workers write gets ~30 entries per read. Delays a window's report by at most
   * this much. @defaultValue 100
   */
  gatherMs?: number;
}

/**
 * Reads several streams through one consumer group (XREADGROUP … BLOCK on a connection of its
 * own), hands each batch to `handle`, and acknowledges it once `handle` resolves (in the same
 * round trip as the next read, or on stop). Entries of a
 * consumer that died are claimed after `claimIdleMs` (XAUTOCLAIM), so every entry is handled
 * at least once while any consumer runs.
 */
export class StreamConsumer {
  readonly #blocking: Redis;
  readonly #redis: Redis;
  readonly #streams: readonly string[];
  readonly #options: Required<StreamConsumerOptions>;
  readonly #handle: (stream: string, entries: StreamEntry[]) => Promise<void>;
  readonly #onError: (error: Error) => void;
  #running: Promise<void> | undefined;
  #stopping = false;
  #lastClaim = 0;
  /** Ends the gathering pause early (stop). */
  #wake: (() => void) | undefined;
  /** Handled entries whose acknowledgement goes out with the next read, by stream. */
  readonly #unacked = new Map<string, string[]>();

  /**
   * @param blocking - a connection only this consumer uses (XREADGROUP BLOCK holds it).
   * @param redis - a connection for acknowledgements and claims.
   */
  constructor(blocking: Redis, redis: Redis, streams: readonly string[], options: StreamConsumerOptions, handle: (stream: string, entries: StreamEntry[]) => Promise<void>, onError: (error: Error) => void) {
    this.#blocking = blocking;
    this.#redis = redis;
    this.#streams = streams;
    this.#options = { count: 500, blockMs: 1_000, claimIdleMs: 60_000, claimEveryMs: 15_000, gatherMs: 100, ...options };
    this.#handle = handle;
    this.#onError = onError;
  }

  /** Creates the group on each stream (from its first entry) and starts reading. */
  async start(): Promise<void> {
    for (const stream of this.#streams) {
      try {
        await this.#redis.xgroup('CREATE', stream, this.#options.group, '0', 'MKSTREAM');
      } catch (error) {
        if (!/BUSYGROUP/.test((error as Error).message)) throw error;
      }
    }
    this.#running = this.#loop();
  }

  /** Stops after the read in progress (at most `blockMs`) and its handling. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
  }

  /** Waits `ms`, or less when stop is called. */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => { this.#wake = undefined; });
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      try {
        if (Date.now() - this.#lastClaim >= this.#options.claimEveryMs) {
          this.#lastClaim = Date.now();
          await this.#claimAbandoned();
        }
        const { group, consumer, count, blockMs } = this.#options;
        // The acknowledgements of the last batch travel with the next read, in one pipeline: one
        // round trip per batch instead of two (each costs the monitor more CPU than the commands).
        const pipeline = this.#blocking.pipeline();
        const acked = [...this.#unacked];
        for (const [stream, ids] of acked) pipeline.xack(stream, group, ...ids);
        pipeline.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...this.#streams, ...this.#streams.map(() => '>'));
        const results = (await pipeline.exec()) ?? [];
        acked.forEach(([stream], i) => { if (!results[i]?.[0]) this.#unacked.delete(stream); });
        const [error, reply] = results[acked.length] ?? [new Error('no reply to XREADGROUP')];
        if (error) throw error;
        let read = 0;
        for (const [stream, entries] of (reply as Array<[string, StreamEntry[]]> | null) ?? []) {
          read += entries.length;
          await this.#process(stream, entries, true);
        }
        if (read > 0 && read < count && this.#options.gatherMs > 0 && !this.#stopping) await this.#pause(this.#options.gatherMs);
      } catch (error) {
        if (this.#stopping) break;
        this.#onError(error as Error);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    await this.#flushAcks();
  }

  /**
   * Handles a batch, then acknowledges it: at once, or (`deferred`) with the next read. Either
   * way only after `handle` resolved; unacknowledged entries are claimed again after claimIdleMs.
   */
  async #process(stream: string, entries: StreamEntry[], deferred = false): Promise<void> {
    if (entries.length === 0) return;
    await this.#handle(stream, entries);
    const ids = entries.map(([id]) => id);
    if (!deferred) {
      await this.#redis.xack(stream, this.#options.group, ...ids);
      return;
    }
    const pending = this.#unacked.get(stream);
    if (pending) pending.push(...ids);
    else this.#unacked.set(stream, ids);
  }

  /** Acknowledges what waits for the next read (on stop). */
  async #flushAcks(): Promise<void> {
    for (const [stream, ids] of this.#unacked) {
      try {
        await this.#redis.xack(stream, this.#options.group, ...ids);
        this.#unacked.delete(stream);
      } catch (error) {
        // Not lost: the entries stay pending and are claimed and handled again after claimIdleMs.
        this.#onError(error as Error);
      }
    }
  }

  async #claimAbandoned(): Promise<void> {
    const { group, consumer, count, claimIdleMs } = this.#options;
    for (const stream of this.#streams) {
      let cursor = '0-0';
      do {
        const [next, entries, deleted] = (await this.#redis.xautoclaim(stream, group, consumer, claimIdleMs, cursor, 'COUNT', count)) as [string, StreamEntry[], string[]?];
        // Entries trimmed away before anyone handled them: nothing to do but acknowledge.
        if (deleted && deleted.length > 0) await this.#redis.xack(stream, group, ...deleted);
        await this.#process(stream, entries.filter((e) => e !== null && Array.isArray(e[1])));
        cursor = next;
      } while (cursor !== '0-0' && !this.#stopping);
    }
  }
}
