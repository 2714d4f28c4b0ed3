import type { Redis } from 'ioredis';
import type { ExportedPredictionLogEntry, PredictionLogEntry, RedisKeys } from '@inferq/contract';
import { throwOnPipelineError } from './prediction-store.js';

/** Default retention of the prediction log (stream entries, trimmed approximately). */
export const DEFAULT_PREDICTION_LOG_MAX_LEN = 100_000;

/** Filter of a prediction log read. */
export interface PredictionLogQuery {
  model?: string;
  version?: string;
  /** Stream id to start after (exclusive), e.g. `1795316133499-0` (a cursor: the last `logId` read). */
  after?: string;
  /** Stream id to start at (inclusive), e.g. `1795316133499` for "appended at or after that ms". */
  from?: string;
  /** Most entries returned. @defaultValue unlimited */
  limit?: number;
  /** Entries read per XRANGE round trip. @defaultValue 500 */
  pageSize?: number;
}

/**
 * The prediction log: a Redis stream (`{prefix}:prediction-log`, see redis-keys.ts) of
 * `PredictionLogEntry` JSON in field `d`, trimmed with `MAXLEN ~ maxLen` on every append, so it
 * holds roughly the last `maxLen` sampled predictions. Stream ids start with the epoch ms of the
 * append, which makes them usable as a time cursor.
 */
export class PredictionLog {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #maxLen: number;

  /** @param maxLen - approximate number of entries kept. */
  constructor(redis: Redis, keys: RedisKeys, maxLen: number = DEFAULT_PREDICTION_LOG_MAX_LEN) {
    this.#redis = redis;
    this.#key = keys.predictionLog;
    this.#maxLen = maxLen;
  }

  /** Appends entries in one pipeline (one round trip whatever their number). */
  async append(entries: readonly PredictionLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const entry of entries) pipeline.xadd(this.#key, 'MAXLEN', '~', String(this.#maxLen), '*', 'd', JSON.stringify(entry));
    await pipeline.exec().then(throwOnPipelineError);
  }

  /** Entries oldest first, read page by page (memory stays bounded by the page size). */
  async *read(query: PredictionLogQuery = {}): AsyncGenerator<ExportedPredictionLogEntry> {
    const pageSize = query.pageSize ?? 500;
    let remaining = query.limit ?? Infinity;
    let start = query.after !== undefined ? `(${query.after}` : query.from ?? '-';
    while (remaining > 0) {
      const page = await this.#redis.xrange(this.#key, start, '+', 'COUNT', pageSize);
      for (const [logId, fields] of page) {
        const entry = parseEntry(fields);
        if (!entry) continue;
        if (query.model !== undefined && entry.model !== query.model) continue;
        if (query.version !== undefined && entry.version !== query.version) continue;
        yield { logId, ...entry };
        if (--remaining <= 0) return;
      }
      if (page.length < pageSize) return;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  /** Number of entries held now. */
  length(): Promise<number> {
    return this.#redis.xlen(this.#key);
  }
}

/** The entry in a stream entry's fields (`d` = JSON); undefined when malformed. */
export function parseEntry<T = PredictionLogEntry>(fields: readonly string[]): T | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== 'd') continue;
    try {
      return JSON.parse(fields[i + 1]!) as T;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
