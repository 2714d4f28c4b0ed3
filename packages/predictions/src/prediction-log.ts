import type { Redis } from 'ioredis';
import type { ExportedPredictionLogEntry, PredictionLogBatch, PredictionLogEntry, RedisKeys } from '@inferq/contract';
import { expandLogBatch } from './prediction-log-batch.js';
import { throwOnPipelineError } from './prediction-store.js';

/** Default retention of the prediction log (stream entries, trimmed approximately). */
export const DEFAULT_PREDICTION_LOG_MAX_LEN = 100_000;

/** Filter of a prediction log read. */
export interface PredictionLogQuery {
  model?: string;
  version?: string;
  /**
   * Where to continue (exclusive): the last `logId` read, `1795316133499-0:7` (after that prediction
   * of a batch entry) or `1795316133499-0` (after that whole stream entry).
   */
  after?: string;
  /** Stream id to start at (inclusive), e.g. `1795316133499` for "appended at or after that ms". */
  from?: string;
  /** Most entries returned. @defaultValue unlimited */
  limit?: number;
  /** Entries read per XRANGE round trip. @defaultValue 500 */
  pageSize?: number;
}

/**
 * The prediction log: a Redis stream (`{prefix}:prediction-log`, see redis-keys.ts) of worker
 * batches (`PredictionLogBatch` JSON in field `b`, one entry per batch) and single predictions
 * (`PredictionLogEntry` JSON in field `d`: cache hits, entries of older workers), trimmed with
 * `MAXLEN ~ maxLen` on every append, so it holds roughly the last `maxLen` entries. Stream ids
 * start with the epoch ms of the append, which makes them usable as a time cursor.
 */
export class PredictionLog {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #maxLen: number;

  /** @param maxLen - approximate number of stream entries kept (a batch entry is one). */
  constructor(redis: Redis, keys: RedisKeys, maxLen: number = DEFAULT_PREDICTION_LOG_MAX_LEN) {
    this.#redis = redis;
    this.#key = keys.predictionLog;
    this.#maxLen = maxLen;
  }

  /** Appends a worker batch's predictions as one stream entry (one XADD). */
  async appendBatch(batch: PredictionLogBatch): Promise<void> {
    if (batch.ids.length === 0) return;
    await this.#redis.xadd(this.#key, 'MAXLEN', '~', String(this.#maxLen), '*', 'b', JSON.stringify(batch));
  }

  /** Appends single entries in one pipeline (one round trip whatever their number). */
  async append(entries: readonly PredictionLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const entry of entries) pipeline.xadd(this.#key, 'MAXLEN', '~', String(this.#maxLen), '*', 'd', JSON.stringify(entry));
    await pipeline.exec().then(throwOnPipelineError);
  }

  /**
   * Predictions oldest first (a batch entry expanded into its predictions), read page by page
   * (memory stays bounded by the page size).
   */
  async *read(query: PredictionLogQuery = {}): AsyncGenerator<ExportedPredictionLogEntry> {
    const pageSize = query.pageSize ?? 500;
    let remaining = query.limit ?? Infinity;
    const cursor = query.after !== undefined ? splitLogId(query.after) : undefined;
    if (query.after !== undefined && !cursor) throw new Error(`not a logId: "${query.after.slice(0, 64)}"`);
    // A cursor inside a batch entry re-reads that entry and skips the predictions up to it.
    let start = cursor ? (cursor.index === undefined ? `(${cursor.streamId}` : cursor.streamId) : query.from ?? '-';
    while (remaining > 0) {
      const page = await this.#redis.xrange(this.#key, start, '+', 'COUNT', pageSize);
      for (const [streamId, fields] of page) {
        const skipThrough = cursor?.index !== undefined && streamId === cursor.streamId ? cursor.index : -1;
        for (const exported of exportedEntries(streamId, fields)) {
          if (exported.index <= skipThrough) continue;
          const { entry } = exported;
          if (query.model !== undefined && entry.model !== query.model) continue;
          if (query.version !== undefined && entry.version !== query.version) continue;
          yield entry;
          if (--remaining <= 0) return;
        }
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

/** The predictions of a stream entry as exported, with their index in it (0 for a single entry). */
function exportedEntries(streamId: string, fields: readonly string[]): Array<{ index: number; entry: ExportedPredictionLogEntry }> {
  const batch = parseBatch(fields);
  if (batch) return expandLogBatch(batch).map((entry, index) => ({ index, entry: { logId: `${streamId}:${index}`, ...entry } }));
  const entry = parseEntry(fields);
  return entry ? [{ index: 0, entry: { logId: streamId, ...entry } }] : [];
}

/** The batch in a stream entry's fields (`b` = JSON); undefined when it holds none or is malformed. */
export function parseBatch(fields: readonly string[]): PredictionLogBatch | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== 'b') continue;
    try {
      const batch = JSON.parse(fields[i + 1]!) as PredictionLogBatch;
      return Array.isArray(batch.ids) ? batch : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const LOG_ID = /^(\d{1,16}-\d{1,20})(?::(\d{1,9}))?$/;

/** A `logId`'s stream entry id and, for a prediction of a batch entry, its index; undefined when not a logId. */
export function splitLogId(logId: string): { streamId: string; index?: number } | undefined {
  const match = LOG_ID.exec(logId);
  if (!match) return undefined;
  return match[2] === undefined ? { streamId: match[1]! } : { streamId: match[1]!, index: Number(match[2]) };
}

/**
 * A `since` as a read bound: a `logId` is a cursor (exclusive), epoch ms or an ISO time is
 * inclusive; undefined when it is none of them.
 */
export function parseLogSince(since: string): Pick<PredictionLogQuery, 'after' | 'from'> | undefined {
  if (splitLogId(since)) return { after: since };
  const ms = /^\d{1,16}$/.test(since) ? Number(since) : Date.parse(since);
  return Number.isFinite(ms) ? { from: String(ms) } : undefined;
}
