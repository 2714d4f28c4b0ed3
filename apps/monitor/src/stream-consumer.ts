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
}

/**
 * Reads several streams through one consumer group (XREADGROUP … BLOCK on a connection of its
 * own), hands each batch to `handle`, and acknowledges it once `handle` resolves. Entries of a
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

  /**
   * @param blocking - a connection only this consumer uses (XREADGROUP BLOCK holds it).
   * @param redis - a connection for acknowledgements and claims.
   */
  constructor(blocking: Redis, redis: Redis, streams: readonly string[], options: StreamConsumerOptions, handle: (stream: string, entries: StreamEntry[]) => Promise<void>, onError: (error: Error) => void) {
    this.#blocking = blocking;
    this.#redis = redis;
    this.#streams = streams;
    this.#options = { count: 500, blockMs: 1_000, claimIdleMs: 60_000, claimEveryMs: 15_000, ...options };
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
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      try {
        if (Date.now() - this.#lastClaim >= this.#options.claimEveryMs) {
          this.#lastClaim = Date.now();
          await this.#claimAbandoned();
        }
        const { group, consumer, count, blockMs } = this.#options;
        const reply = (await this.#blocking.xreadgroup(
          'GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...this.#streams, ...this.#streams.map(() => '>'),
        )) as Array<[string, StreamEntry[]]> | null;
        for (const [stream, entries] of reply ?? []) await this.#process(stream, entries);
      } catch (error) {
        if (this.#stopping) break;
        this.#onError(error as Error);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  async #process(stream: string, entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#handle(stream, entries);
    await this.#redis.xack(stream, this.#options.group, ...entries.map(([id]) => id));
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
