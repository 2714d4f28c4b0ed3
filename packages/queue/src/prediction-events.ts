import type { Redis } from 'ioredis';
import type { PredictionFinalEvent, RedisKeys } from '@inferq/contract';

type Listener = (event: PredictionFinalEvent) => void;

/**
 * Delivers final-result announcements to in-process listeners: one Redis subscriber connection
 * per process, fanned out by prediction id, so push and long-poll cost no Redis work per waiter.
 */
export class PredictionEvents {
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #byId = new Map<string, Set<Listener>>();
  readonly #all = new Set<Listener>();
  #closed = false;

  /** @param subscriber - a connection this class owns and puts in subscriber mode. */
  constructor(subscriber: Redis, keys: RedisKeys) {
    this.#subscriber = subscriber;
    this.#channel = keys.predictionFinalChannel;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#dispatch(message);
    });
  }

  /** Subscribes to the channel; ioredis re-subscribes by itself after a reconnect. */
  async start(): Promise<void> {
    await this.#subscriber.subscribe(this.#channel);
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

  #dispatch(message: string): void {
    let event: PredictionFinalEvent;
    try {
      event = JSON.parse(message) as PredictionFinalEvent;
    } catch {
      return; // not ours: the channel is namespaced, but never let a stray publish crash the API
    }
    for (const listener of this.#all) listener(event);
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
