/**
 * A batch's state in Redis (keys in packages/contract/src/redis-keys.ts): one hash per batch and
 * one hash of its finished chunks. Counters move only through `batch-chunk-done-2.lua` (a chunk
 * counts once, whatever re-runs it) and the status only through `batch-transition-2.lua`.
 */
import type { Redis } from 'ioredis';
import { InferqError, type RedisKeys } from '@inferq/contract';
import { redisScript, type RedisScript } from '@inferq/redis';
import { FINAL_BATCH_STATUSES, type BatchFormat, type BatchPriority, type BatchRecord, type BatchStatus } from './batch-types.js';

/** What creating a batch records. */
export type NewBatch = Omit<BatchRecord, 'status' | 'done' | 'failed' | 'rowsPerSecond' | 'etaSeconds' | 'startedAt' | 'finishedAt' | 'error'>;

export class BatchStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #ttlSeconds: number;
  readonly #chunkDone: RedisScript<number>;
  readonly #transition: RedisScript<string | null>;

  /** @param ttlSeconds - retention of a batch's record once it is final (RESULT_TTL_SECONDS). */
  constructor(redis: Redis, keys: RedisKeys, ttlSeconds: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttlSeconds = ttlSeconds;
    this.#chunkDone = redisScript(redis, 'batch-chunk-done-2.lua');
    this.#transition = redisScript(redis, 'batch-transition-2.lua');
  }

  async create(batch: NewBatch): Promise<void> {
    const fields: Record<string, string | number> = {
      id: batch.id, model: batch.model, version: batch.version, status: 'queued',
      inputFormat: batch.inputFormat, format: batch.format, chunkSize: batch.chunkSize, priority: batch.priority,
      total: batch.total, done: 0, failed: 0, createdAt: batch.createdAt,
    };
    for (const field of ['webhook', 'resultUri', 'schedule', 'owner'] as const) {
      if (batch[field] !== undefined) fields[field] = batch[field];
    }
    await this.#redis.hset(this.#keys.batch(batch.id), fields);
  }

  /** The batch, or BATCH_NOT_FOUND (also for another key's batch when `viewer` is set). */
  async get(id: string, viewer?: string, now = Date.now()): Promise<BatchRecord> {
    const hash = await this.#redis.hgetall(this.#keys.batch(id));
    if (!hash.status || (viewer !== undefined && hash.owner !== viewer)) throw new InferqError('BATCH_NOT_FOUND', `no batch "${id}"`);
    return toRecord(hash, now);
  }

  /** Chunk indexes already counted (a re-run skips them). */
  async doneChunks(id: string): Promise<Set<number>> {
    return new Set((await this.#redis.hkeys(this.#keys.batchChunks(id))).map(Number));
  }

  /** Counts a finished chunk once; false when it was counted before. */
  async chunkDone(id: string, chunk: number, done: number, failed: number): Promise<boolean> {
    return (await this.#chunkDone([this.#keys.batch(id), this.#keys.batchChunks(id)], [chunk, done, failed])) === 1;
  }

  /** queued → running (a re-run after a crash finds it running and goes on). */
  async start(id: string, now = Date.now()): Promise<BatchStatus | undefined> {
    const found = await this.#move(id, ['queued'], 'running', { startedAt: now });
    return found === 'queued' ? 'running' : found;
  }

  /** running → a final status; false when it was cancelled meanwhile (the cancel stands). */
  async finish(id: string, status: 'completed' | 'completed_with_errors' | 'failed', error?: { code: string; message: string }, now = Date.now()): Promise<boolean> {
    const fields: Record<string, string | number> = { finishedAt: now };
    if (error) fields.error = JSON.stringify(error);
    const found = await this.#move(id, ['queued', 'running'], status, fields);
    return found === 'queued' || found === 'running';
  }

  /** queued | running → cancelled. Returns the status found; BATCH_NOT_FOUND when there is none. */
  async cancel(id: string, viewer?: string, now = Date.now()): Promise<BatchStatus> {
    await this.get(id, viewer, now);
    const found = await this.#move(id, ['queued', 'running'], 'cancelled', { finishedAt: now });
    if (found === undefined) throw new InferqError('BATCH_NOT_FOUND', `no batch "${id}"`);
    return found;
  }

  async status(id: string): Promise<BatchStatus | undefined> {
    return ((await this.#redis.hget(this.#keys.batch(id), 'status')) ?? undefined) as BatchStatus | undefined;
  }

  async #move(id: string, from: BatchStatus[], to: BatchStatus, fields: Record<string, string | number>): Promise<BatchStatus | undefined> {
    const ttl = FINAL_BATCH_STATUSES.includes(to) ? this.#ttlSeconds : 0;
    const found = await this.#transition([this.#keys.batch(id), this.#keys.batchChunks(id)], [from.join(','), to, ttl, ...Object.entries(fields).flat()]);
    return (found ?? undefined) as BatchStatus | undefined;
  }
}

function toRecord(hash: Record<string, string>, now: number): BatchRecord {
  const total = Number(hash.total);
  const done = Number(hash.done ?? 0);
  const failed = Number(hash.failed ?? 0);
  const startedAt = hash.startedAt ? Number(hash.startedAt) : undefined;
  const finishedAt = hash.finishedAt ? Number(hash.finishedAt) : undefined;
  const status = hash.status as BatchStatus;
  const elapsedSeconds = startedAt === undefined ? 0 : ((finishedAt ?? now) - startedAt) / 1000;
  const rowsPerSecond = elapsedSeconds > 0 ? Math.round(((done + failed) / elapsedSeconds) * 10) / 10 : 0;
  const left = total - done - failed;
  const final = FINAL_BATCH_STATUSES.includes(status);
  const record: BatchRecord = {
    id: hash.id!, model: hash.model!, version: hash.version!, status,
    inputFormat: hash.inputFormat as BatchFormat, format: hash.format as BatchFormat,
    chunkSize: Number(hash.chunkSize), priority: hash.priority as BatchPriority,
    total, done, failed, rowsPerSecond,
    etaSeconds: final ? 0 : rowsPerSecond > 0 ? Math.ceil(left / rowsPerSecond) : null,
    createdAt: Number(hash.createdAt),
  };
  if (startedAt !== undefined) record.startedAt = startedAt;
  if (finishedAt !== undefined) record.finishedAt = finishedAt;
  for (const field of ['webhook', 'resultUri', 'schedule', 'owner'] as const) {
    if (hash[field]) record[field] = hash[field];
  }
  if (hash.error) record.error = JSON.parse(hash.error) as { code: string; message: string };
  return record;
}
