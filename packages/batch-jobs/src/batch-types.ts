/**
 * The wire and storage shapes of batch prediction jobs (docs/batches.md): the record a client
 * reads, the options it sets, and the BullMQ job data of a batch run.
 */
import { randomBytes } from 'node:crypto';

/** Lifecycle: queued → running → completed | completed_with_errors | failed; cancelled from queued or running. */
export type BatchStatus = 'queued' | 'running' | 'completed' | 'completed_with_errors' | 'failed' | 'cancelled';

export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = Object.freeze(['completed', 'completed_with_errors', 'failed', 'cancelled']);

/** The two formats of input and result files. */
export type BatchFormat = 'jsonl' | 'csv';

/** Priority classes of batches (the prediction classes); `low` by default so online traffic goes first. */
export type BatchPriority = 'high' | 'normal' | 'low';

/** What a client chooses when it creates a batch. */
export interface BatchOptions {
  /** Result format. @defaultValue 'jsonl' */
  format: BatchFormat;
  /** Rows per chunk: the unit of progress and of crash recovery. @defaultValue 1000 */
  chunkSize: number;
  /** @defaultValue 'low' */
  priority: BatchPriority;
  /** http(s) URL POSTed the final record once the batch ends. */
  webhook?: string;
  /** `file://` or `s3://` URI the results are written to once the batch ends. */
  resultUri?: string;
}

export const DEFAULT_CHUNK_SIZE = 1000;
export const MAX_CHUNK_SIZE = 100_000;

/** A batch as `GET /v1/batches/{id}` answers it. */
export interface BatchRecord {
  id: string;
  model: string;
  version: string;
  status: BatchStatus;
  inputFormat: BatchFormat;
  format: BatchFormat;
  chunkSize: number;
  priority: BatchPriority;
  /** Rows in the input (known once it was validated, before the batch is queued). */
  total: number;
  /** Rows with a result. */
  done: number;
  /** Rows that failed (bad value, or the model failed on it). */
  failed: number;
  /** Rows finished per second since the batch started running. */
  rowsPerSecond: number;
  /** Seconds left at that rate; null before a rate is known or once final. */
  etaSeconds: number | null;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  webhook?: string;
  resultUri?: string;
  /** Id of the schedule that created it. */
  schedule?: string;
  /** Why the batch failed as a whole (status `failed`). */
  error?: { code: string; message: string };
  /** Id of the API key that created it; absent with access control off. */
  owner?: string;
}

/** Data of the one BullMQ job that runs a batch. */
export interface BatchRunJobData {
  id: string;
}

/** BullMQ queue of a model's batch runs: per model, so a worker takes only batches of models it serves. */
export function batchQueueName(model: string): string {
  return `batches-${model}`;
}
export const BATCH_JOB_NAME = 'run';
/** BullMQ queue of a model's schedules (job schedulers that create batches from a cron expression). */
export function batchScheduleQueueName(model: string): string {
  return `batch-schedules-${model}`;
}
export const BATCH_SCHEDULE_JOB_NAME = 'create-batch';

const BATCH_ID = /^b[0-9a-f]{24}$/;

/** A new batch id: `b` + 24 hex characters (apart from prediction ids, so a WebSocket subscribe tells them apart). */
export function newBatchId(): string {
  return `b${randomBytes(12).toString('hex')}`;
}

export function isBatchId(value: string): boolean {
  return BATCH_ID.test(value);
}

/** A row's error in a result line. */
export interface RowError {
  code: string;
  message: string;
}
