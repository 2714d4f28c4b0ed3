import { CACHE_KEY_PATTERN, type PredictionFinalEvent } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import type { PredictionCache } from '@inferq/predictions';
import { summarizeOutputs } from '@inferq/tensor';
import type { Logger } from '@inferq/logger';
import type { ItemOutcome } from './batch-execution.js';
import type { QueuedPrediction } from './model-version-server.js';

/** Where entries go: `PredictionCache.put`. */
export type CacheWriter = Pick<PredictionCache, 'put'>;

/**
 * Fills the prediction cache with a batch's computed results (docs/cache.md): each completed
 * prediction whose job carries a cache key, for a version whose config.json sets `cache`.
 *
 * Call it just before recording the batch's outcomes, on the same Redis connection: its writes
 * are sent first, so Redis applies them before the results are published, and a client that saw
 * a result and sends the same request again finds the entry. A failed write (Redis out of memory)
 * only costs a later hit: it is logged, never thrown.
 */
export class CacheFiller {
  readonly #cache: CacheWriter;
  readonly #logger: Logger;
  /** Entries written, evicted to stay within maxEntries, and failed writes (heartbeats, tests). */
  readonly counters = { written: 0, evicted: 0, failedWrites: 0 };

  constructor(cache: CacheWriter, logger: Logger) {
    this.#cache = cache;
    this.#logger = logger;
  }

  /** Sends the batch's cache writes now (synchronously) and resolves when they are done; never rejects. */
  fill(model: ModelVersion, items: readonly QueuedPrediction[], outcomes: readonly ItemOutcome[], events: readonly PredictionFinalEvent[]): Promise<void> {
    const settings = model.cache;
    if (!settings) return Promise.resolve();
    const writes: Array<Promise<void>> = [];
    items.forEach((item, i) => {
      const { cacheKey } = item.job;
      const outcome = outcomes[i];
      const result = events[i]?.result;
      if (cacheKey === undefined || !CACHE_KEY_PATTERN.test(cacheKey) || !outcome?.ok || !result) return;
      // As the worker's own log entry summarises it (all outputs), so a cached answer logs the same.
      const summary = summarizeOutputs(outcome.outputs, model.labels);
      writes.push(this.#cache.put(model.name, model.version, cacheKey, result, summary, settings).then(
        (evicted) => {
          this.counters.written++;
          this.counters.evicted += evicted;
        },
        (error: Error) => {
          this.counters.failedWrites++;
          this.#logger.warn({ err: error, model: model.name, version: model.version }, 'could not write prediction cache entry');
        },
      ));
    });
    return Promise.all(writes).then(() => undefined);
  }
}
