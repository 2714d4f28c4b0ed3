/**
 * Schedules: a cron expression that creates a batch from a URI each time it fires, kept as a BullMQ
 * job scheduler on the `batch-schedules` queue (one per schedule id, so a POST with the same id
 * replaces it). The job each firing makes carries the batch's settings; a worker consumes it
 * (apps/worker/src/batches/schedule-consumer.ts).
 */
import { CronExpressionParser } from 'cron-parser';
import { InferqError } from '@inferq/contract';
import type { BatchQueues } from './batch-queues.js';
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

/** Schedules across the models' schedule queues (a schedule id is unique over all of them). */
export class BatchSchedules {
  readonly #queues: BatchQueues;
  readonly #models: () => readonly string[];

  constructor(queues: BatchQueues, models: () => readonly string[]) {
    this.#queues = queues;
    this.#models = models;
  }

  /** Creates or replaces the schedule `spec.id`. */
  async upsert(spec: ScheduleSpec): Promise<ScheduleRecord> {
    checkCron(spec.cron);
    // The same id under another model is replaced, not doubled.
    for (const model of this.#models()) {
      if (model !== spec.model) await this.#queues.schedules(model).removeJobScheduler(spec.id);
    }
    const queue = this.#queues.schedules(spec.model);
    await queue.upsertJobScheduler(spec.id, { pattern: spec.cron }, {
      name: BATCH_SCHEDULE_JOB_NAME, data: spec, opts: { removeOnComplete: true, removeOnFail: { count: 100 } },
    });
    const scheduler = await queue.getJobScheduler(spec.id);
    return scheduler ? toRecord(scheduler) : spec;
  }

  /** All schedules, at most `limit` per model. */
  async list(limit = 1000): Promise<ScheduleRecord[]> {
    const all = await Promise.all(this.#models().map((m) => this.#queues.schedules(m).getJobSchedulers(0, limit - 1, true)));
    return all.flat().map(toRecord);
  }

  /** Deletes a schedule; SCHEDULE_NOT_FOUND when there is none (or `viewer` does not own it). */
  async remove(id: string, viewer?: string): Promise<void> {
    for (const model of this.#models()) {
      const queue = this.#queues.schedules(model);
      const scheduler = await queue.getJobScheduler(id);
      if (!scheduler || (viewer !== undefined && scheduler.template?.data?.owner !== viewer)) continue;
      if (await queue.removeJobScheduler(id)) return;
    }
    throw new InferqError('SCHEDULE_NOT_FOUND', `no schedule "${id}"`);
  }
}

function toRecord(scheduler: { key: string; next?: number | undefined; template?: { data?: ScheduleSpec } | undefined }): ScheduleRecord {
  const data = scheduler.template?.data;
  return { ...(data as ScheduleSpec), id: scheduler.key, ...(scheduler.next !== undefined ? { next: Number(scheduler.next) } : {}) };
}
