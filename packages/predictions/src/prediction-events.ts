import type { Redis } from 'ioredis';
import { FINAL_STATUSES, type PredictionFinalEvent, type PredictionRecord, type RedisKeys } from '@inferq/contract';

type Listener = (event: PredictionFinalEvent) => void;

/** Reads the current records of `ids` (in order; undefined where unknown), e.g. `PredictionStore.getMany`. */
export type PredictionReader = (ids: readonly string[]) => Promise<Array<PredictionRecord | undefined>>;

/** Ids read per round trip when catching up after a reconnect. */
const CATCH_UP_CHUNK = 1_000;

/**
 * Delivers final-result announcements to in-process listeners: one Redis subscriber connection
 * per process, fanned out by prediction id, so push and long-poll cost no Redis work per waiter.
 * A message on the channel carries one event or a JSON array of events (a worker publishes
 * the outcomes of a batch in one message).
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
  readonly #byId = new Map<string, Set<Listener>>();
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
    let set = this.#byId.get(id);
    if (!set) this.#byId.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      const current = this.#byId.get(id);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.#byId.delete(id);
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

  /** A message is one event (a cache hit) or an array of them (the outcomes one worker batch wrote, see finish.lua). */
  #dispatch(message: string): void {
    let parsed: PredictionFinalEvent | PredictionFinalEvent[];
    try {
      parsed = JSON.parse(message) as PredictionFinalEvent | PredictionFinalEvent[];
    } catch {
      return; // not ours: the channel is namespaced, but never let a stray publish crash the API
    }
    if (Array.isArray(parsed)) {
      for (const event of parsed) this.#announce(event);
    } else if (parsed !== null && typeof parsed === 'object') {
      this.#announce(parsed);
    }
  }

  #announce(event: PredictionFinalEvent): void {
    for (const listener of this.#all) listener(event);
    this.#deliver(event);
  }

  #deliver(event: PredictionFinalEvent): void {
    const listeners = this.#byId.get(event.id);
    if (!listeners) return;
    this.#byId.delete(event.id);
    for (const listener of listeners) listener(event);
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
