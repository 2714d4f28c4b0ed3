/**
 * The worker's batch side: one BullMQ Worker per served model on `batches-{model}` (each job runs
 * one batch through that model's micro-batcher, see batch-runner.ts) and one on
 * `batch-schedules-{model}` (each firing of a schedule creates a batch from its URI).
 */
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { BatchFiles, BatchQueues, BatchService, BatchStore, batchQueueName, batchScheduleQueueName, type BatchRunJobData, type BatchSettings, type ScheduleSpec } from '@inferq/batch-jobs';
import type { RedisKeys } from '@inferq/contract';
import type { Logger } from '@inferq/logger';
import type { ModelRepository } from '@inferq/model-repository';
import type { ServerLookup } from '../prediction-processor.js';
import { BatchRunner } from './batch-runner.js';

export interface BatchWorkerOptions {
  redis: Redis;
  keys: RedisKeys;
  repository: ModelRepository;
  lookup: ServerLookup;
  settings: BatchSettings;
  resultTtlSeconds: number;
  /** Batches one worker runs at once per model. */
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  logger: Logger;
}

/** Starts the batch and schedule consumers; resolves to their idempotent stop. */
export function startBatchWorkers(options: BatchWorkerOptions): () => Promise<void> {
  const { redis, keys, repository, logger } = options;
  const files = new BatchFiles(options.settings.dataDir);
  const queues = new BatchQueues(redis, keys.prefix);
  const service = new BatchService({ store: new BatchStore(redis, keys, options.resultTtlSeconds), files, queues, uris: options.settings });
  const runner = new BatchRunner({ service, files, repository, lookup: options.lookup, logger });
  const common = {
    connection: redis, prefix: keys.prefix,
    lockDuration: options.lockDurationMs, stalledInterval: options.stalledIntervalMs,
    // A batch job re-run after its worker died resumes where it was: it is no poison input, so it
    // gets more re-runs than a prediction.
    maxStalledCount: Math.max(options.maxStalledCount, 10),
  };
  const workers: Worker[] = [];
  for (const model of repository.modelNames()) {
    const runs = new Worker<BatchRunJobData>(batchQueueName(model), (job) => runner.run(job.data.id), { ...common, concurrency: options.concurrency });
    runs.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than allowable limit/.test(err.message);
      logger.warn({ batchId: job.data.id, attemptsMade: job.attemptsMade, final, err }, final ? 'batch run given up' : 'batch run stopped; it resumes on its next attempt');
      if (final) {
        service.store.finish(job.data.id, 'failed', { code: 'WORKER_FAILED', message: `the batch stopped after ${job.attemptsMade} attempts: ${err.message.slice(0, 300)}` })
          .catch((e: Error) => logger.error({ batchId: job.data.id, err: e }, 'could not mark the batch failed'));
      }
    });
    const schedules = new Worker<ScheduleSpec>(batchScheduleQueueName(model), async (job) => {
      const spec = job.data;
      const version = repository.resolve(spec.model, spec.version);
      const batch = await service.create(version, { uri: spec.uri }, spec.inputFormat, spec, {
        schedule: spec.id, ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
      });
      logger.info({ schedule: spec.id, batchId: batch.id, total: batch.total }, 'schedule fired: batch created');
      return batch.id;
    }, { ...common, concurrency: 1 });
    schedules.on('failed', (job, err) => logger.warn({ schedule: job?.data.id, err }, 'schedule fired but its batch could not be created'));
    for (const worker of [runs, schedules]) {
      worker.on('error', (err) => logger.warn({ model, err }, 'batch worker error'));
      workers.push(worker);
    }
  }
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= (async () => {
    runner.stop(); // running batches stop at their next chunk and resume elsewhere
    await Promise.allSettled(workers.map((w) => w.close()));
    await queues.close();
  })());
}
