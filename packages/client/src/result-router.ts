/**
 * Hands each final result to everyone waiting on its id, exactly once: the first delivery (push,
 * re-subscribe after a reconnect, or a long-poll, whichever wins) settles the waiters and
 * forgets the id; later copies of the same result are counted and dropped. Results for ids no one
 * waits on yet (pushed before the caller registered) are kept briefly, bounded.
 */
import type { InferqClientError } from './errors.js';
import type { FinalPrediction } from './types.js';

/** One waiter's outcome. */
export type Outcome = { prediction: FinalPrediction; error?: undefined } | { prediction?: undefined; error: InferqClientError };

/** Bounded memory: ids remembered as delivered, and early results kept. */
const REMEMBERED = 10_000;
const EARLY = 1_000;

/** Delivery counters. */
export interface RouterStats {
  /** Results handed to waiters (one per id). */
  delivered: number;
  /** Further copies of an already delivered result, dropped. */
  duplicatesDropped: number;
}

export class ResultRouter {
  readonly stats: RouterStats = { delivered: 0, duplicatesDropped: 0 };
  readonly #waiting = new Map<string, Set<(outcome: Outcome) => void>>();
  readonly #delivered = new Set<string>();
  readonly #early = new Map<string, FinalPrediction>();

  /** Ids someone waits on. */
  ids(): IterableIterator<string> {
    return this.#waiting.keys();
  }

  has(id: string): boolean {
    return this.#waiting.has(id);
  }

  /** True when this id's result was already handed out (the socket that carried it will not push it again). */
  wasDelivered(id: string): boolean {
    return this.#delivered.has(id);
  }

  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Registers a waiter; returns `cancel` (stop waiting) and whether the id is new (the caller
   * then asks for its result). A result that arrived early is delivered at once.
   */
  wait(id: string, waiter: (outcome: Outcome) => void): { cancel(): void; isNew: boolean } {
    const early = this.#early.get(id);
    if (early) {
      this.#early.delete(id);
      this.#remember(id);
      this.stats.delivered++;
      waiter({ prediction: early });
      return { cancel: () => {}, isNew: false };
    }
    let set = this.#waiting.get(id);
    const isNew = set === undefined;
    if (!set) this.#waiting.set(id, (set = new Set()));
    set.add(waiter);
    return {
      isNew,
      cancel: () => {
        const current = this.#waiting.get(id);
        if (!current?.delete(waiter)) return;
        if (current.size === 0) this.#waiting.delete(id);
      },
    };
  }

  /** A final result: settles every waiter of its id once; a repeat is counted and dropped. */
  deliver(prediction: FinalPrediction): void {
    const waiters = this.#waiting.get(prediction.id);
    if (!waiters) {
      if (this.#delivered.has(prediction.id)) this.stats.duplicatesDropped++;
      else {
        this.#early.set(prediction.id, prediction);
        if (this.#early.size > EARLY) this.#early.delete(this.#early.keys().next().value!);
      }
      return;
    }
    this.#waiting.delete(prediction.id);
    this.#remember(prediction.id);
    this.stats.delivered++;
    for (const waiter of waiters) waiter({ prediction });
  }

  /** The id cannot be watched (not found, forbidden): its waiters get the error. */
  fail(id: string, error: InferqClientError): void {
    const waiters = this.#waiting.get(id);
    if (!waiters) return;
    this.#waiting.delete(id);
    for (const waiter of waiters) waiter({ error });
  }

  /** Every waiter gets `error` (the client closes). */
  failAll(error: InferqClientError): void {
    for (const id of [...this.#waiting.keys()]) this.fail(id, error);
  }

  #remember(id: string): void {
    this.#delivered.add(id);
    if (this.#delivered.size > REMEMBERED) this.#delivered.delete(this.#delivered.values().next().value!);
  }
}
