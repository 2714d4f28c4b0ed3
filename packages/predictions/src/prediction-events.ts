import type { Redis } from 'ioredis';
import { FINAL_STATUSES, type PredictionFinalEvent, type PredictionRecord, type RedisKeys } from '@inferq/contract';

/**
 * Called with the event and, for a real announcement, its JSON text as published (undefined when
 * delivered by the catch-up after a reconnect, or from a message in the old array format), so a
 * push can splice that text instead of serialising the event again (see ws-result-text.ts).
 */
export type FinalListener = (event: PredictionFinalEvent, text?: string) => void;
type Listener = FinalListener;

/** Reads the current records of `ids` (in order; undefined where unknown), e.g. `PredictionStore.getMany`. */
export type PredictionReader = (ids: readonly string[]) => Promise<Array<PredictionRecord | undefined>>;

/** Ids read per round trip when catching up after a reconnect. */
const CATCH_UP_CHUNK = 1_000;

/**
 * Delivers final-result announcements to in-process listeners: one Redis subscriber connection
 * per process, fanned out by prediction id, so push and long-poll cost no Redis work per waiter.
 * A message on the channel carries the JSON texts of one or more events, one per line (a worker
 * publishes the outcomes of a batch in one message; JSON.stringify never writes a raw newline),
 * or, from a worker older than this format, a JSON array of events.
 *
 * Pub/sub is fire-and-forget: what is published while the subscriber is disconnected (Redis
 * restarting, a network cut) never arrives. So after every reconnect, once the subscription is
 * back, the records of all ids still waited on are read, and those that ended are delivered as
 * if announced. Per-id listeners fire at most once either way; `onAny` listeners (metrics) see
 * only real announcements.
 */
export class PredictionEvents {
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #read: PredictionReader | undefined;
  /** One listener per id as it is (the usual: one socket or request waits), a Set only for more. */
  readonly #byId = new Map<string, Listener | Set<Listener>>();
  readonly #all = new Set<Listener>();
  #started = false;
  #closed = false;

  /**
   * @param subscriber - a connection this class owns and puts in subscriber mode.
   * @param read - reads records over another connection, to catch up after a reconnect.
   */
  constructor(subscriber: Redis, keys: RedisKeys, read?: PredictionReader) {
    this.#subscriber = subscriber;
    this.#channel = keys.predictionFinalChannel;
    this.#read = read;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#dispatch(message);
    });
    subscriber.on('ready', () => {
      if (this.#started && !this.#closed) void this.#catchUp();
    });
  }

  /** Subscribes to the channel; ioredis re-subscribes by itself after a reconnect. */
  async start(): Promise<void> {
    await this.#subscriber.subscribe(this.#channel);
    this.#started = true;
  }

  /** Calls `listener` when prediction `id` ends. Returns the function that removes it. */
  onFinal(id: string, listener: Listener): () => void {
    const current = this.#byId.get(id);
    if (current === undefined) this.#byId.set(id, listener);
    else if (typeof current === 'function') this.#byId.set(id, new Set([current, listener]));
    else current.add(listener);
    return () => {
      const now = this.#byId.get(id);
      if (now === listener) this.#byId.delete(id);
      else if (now !== undefined && typeof now !== 'function') {
        now.delete(listener);
        if (now.size === 0) this.#byId.delete(id);
      }
    };
  }

  /** Calls `listener` for every final event (metrics). Returns the function that removes it. */
  onAny(listener: Listener): () => void {
    this.#all.add(listener);
    return () => this.#all.delete(listener);
  }

  /** Number of ids with at least one listener (a gauge of open waits). */
  get waitingIds(): number {
    return this.#byId.size;
  }

  /** After a reconnect: make sure the subscription is back, then deliver what ended meanwhile. */
  async #catchUp(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        // Answered after ioredis's own re-subscription on this connection: from here on nothing
        // published is missed, and the reads below cover everything published before.
        await this.#subscriber.subscribe(this.#channel);
        if (!this.#read) return;
        const ids = [...this.#byId.keys()];
        for (let i = 0; i < ids.length; i += CATCH_UP_CHUNK) {
          const records = await this.#read(ids.slice(i, i + CATCH_UP_CHUNK));
          for (const record of records) {
            if (!record || !FINAL_STATUSES.has(record.status)) continue;
            const { owner: _owner, shadow: _shadow, ...announced } = record; // as the worker announces it (a shadow outcome is never pushed)
            this.#deliver(announced);
          }
        }
        return;
      } catch {
        // Redis may be flapping, or the reading connection not back yet: try again shortly.
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
      }
    }
  }

  /**
   * A message is newline-framed event texts (finish.lua; a cache hit publishes one) or, from an
   * older worker during a rolling upgrade, a JSON array of events (delivered without their texts).
   */
  #dispatch(message: string): void {
    if (message.charCodeAt(0) === 0x5b /* [ */) {
      const parsed = parseEvent(message);
      if (Array.isArray(parsed)) for (const event of parsed as unknown[]) if (isEvent(event)) this.#announce(event);
      return;
    }
    for (let start = 0; start < message.length;) {
      const newline = message.indexOf('\n', start);
      const end = newline === -1 ? message.length : newline;
      const text = message.slice(start, end);
      const event = parseEvent(text);
      if (isEvent(event)) this.#announce(event, text);
      start = end + 1;
    }
  }

  #announce(event: PredictionFinalEvent, text?: string): void {
    for (const listener of this.#all) listener(event, text);
    this.#deliver(event, text);
  }

  #deliver(event: PredictionFinalEvent, text?: string): void {
    const listeners = this.#byId.get(event.id);
    if (listeners === undefined) return;
    this.#byId.delete(event.id);
    if (typeof listeners === 'function') listeners(event, text);
    else for (const listener of listeners) listener(event, text);
  }

  /** Unsubscribes and closes the subscriber connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#byId.clear();
    this.#all.clear();
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }
}

/** Not ours if it does not parse: the channel is namespaced, but never let a stray publish crash the API. */
function parseEvent(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isEvent(value: unknown): value is PredictionFinalEvent {
  return value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string';
}
