/**
 * Schedules: a cron expression that creates a batch from a URI each time it fires, kept as a BullMQ
 * job scheduler on the `batch-schedules` queue (one per schedule id, so a POST with the same id
 * replaces it). The job each firing makes carries the batch's settings; a worker consumes it
 * (apps/worker/src/batches/schedule-consumer.ts).
 */
import type { Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { InferqError } from '@inferq/contract';
import { BATCH_SCHEDULE_JOB_NAME, type BatchFormat, type BatchOptions } from './batch-types.js';

/** What a schedule runs. */
export interface ScheduleSpec extends BatchOptions {
  id: string;
  /** Cron expression: 5 fields, or 6 with seconds first. */
  cron: string;
  model: string;
  version?: string;
  uri: string;
  inputFormat: BatchFormat;
  /** The API key that created it; its batches belong to that key. */
  owner?: string;
}

/** A schedule as `GET /v1/schedules` lists it. */
export interface ScheduleRecord extends ScheduleSpec {
  /** Epoch ms of the next firing. */
  next?: number;
}

export const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Parses `cron` once, as BullMQ will: INVALID_SCHEDULE naming the problem. */
export function checkCron(cron: string): void {
  if (cron.length > 200) throw new InferqError('INVALID_SCHEDULE', '"cron" must be at most 200 characters');
  try {
    CronExpressionParser.parse(cron);
  } catch (error) {
    throw new InferqError('INVALID_SCHEDULE', `"cron" ${JSON.stringify(cron)} is not a cron expression: ${(error as Error).message}`);
  }
}

export class BatchSchedules {
  readonly #queue: Queue<ScheduleSpec>;

  constructor(queue: Queue<ScheduleSpec>) {
    this.#queue = queue;
  }

  async upsert(spec: ScheduleSpec): Promise<ScheduleRecord> {
    checkCron(spec.cron);
    await this.#queue.upsertJobScheduler(spec.id, { pattern: spec.cron }, { name: BATCH_SCHEDULE_JOB_NAME, data: spec, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } });
    return (await this.get(spec.id))!;
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const scheduler = await this.#queue.getJobScheduler(id);
    return scheduler ? toRecord(scheduler) : undefined;
  }

  /** All schedules, at most `limit`. */
  async list(limit = 1000): Promise<ScheduleRecord[]> {
    return (await this.#queue.getJobSchedulers(0, limit - 1, true)).map(toRecord);
  }

  /** Deletes a schedule; SCHEDULE_NOT_FOUND when there is none. */
  async remove(id: string): Promise<void> {
    if (!(await this.#queue.removeJobScheduler(id))) throw new InferqError('SCHEDULE_NOT_FOUND', `no schedule "${id}"`);
  }
}

function toRecord(scheduler: { key: string; next?: number; template?: { data?: ScheduleSpec } }): ScheduleRecord {
  const data = scheduler.template?.data;
  return { ...(data as ScheduleSpec), id: scheduler.key, ...(scheduler.next !== undefined ? { next: Number(scheduler.next) } : {}) };
}
