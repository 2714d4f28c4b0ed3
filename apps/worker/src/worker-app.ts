import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import {
  type InferqError, PREDICTION_BUNDLE_JOB_NAME, predictionQueueName, type PredictionBundleData, redisKeys, type PredictionJobData, type WorkerIdentity,
} from '@inferq/contract';
import { loadModelRepository, type ModelRepository } from '@inferq/model-repository';
import { createRedisConnection, PredictionLog, PredictionQueues, PredictionStore, waitUntilReady } from '@inferq/queue';
import type { Logger } from '@inferq/logger';
import type { WorkerConfig } from './config.js';
import { ModelVersionServer } from './model-version-server.js';
import { OnnxSession } from './onnx-session.js';
import { PredictionLogWriter } from './prediction-log-writer.js';
import { startBatchingSync } from './batching-sync.js';
import { createPredictionProcessor, finalFailure } from './prediction-processor.js';
import { DEVICE_LEASE_TTL_MS, resolveDevice } from './resolve-device.js';

/** A running worker process's core. */
export interface WorkerApp {
  readonly identity: WorkerIdentity;
  readonly repository: ModelRepository;
  /** Stops taking jobs, finishes the batches in hand, releases the device, closes Redis. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds and starts a worker: loads the models it serves, picks its device, opens one BullMQ
 * Worker per model queue, and heartbeats into Redis.
 */
export async function startWorkerApp(config: WorkerConfig, logger: Logger): Promise<WorkerApp> {
  const keys = redisKeys(config.keyPrefix);
  const { repository, errors } = loadModelRepository(config.modelRepository, config.models.length > 0 ? config.models : undefined);
  for (const error of errors) logger.error(error, 'model not loaded');
  if (repository.modelNames().length === 0) throw new Error(`no model could be loaded from ${config.modelRepository}`);

  const redis = createRedisConnection(config.redisUrl, 'worker');
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  await waitUntilReady(redis, 30_000);
  const store = new PredictionStore(redis, keys, config.resultTtlSeconds);
  const predictionLog = new PredictionLogWriter(new PredictionLog(redis, keys, config.predictionLogMaxLen), { sampleRate: config.predictionLogSampleRate }, logger);

  const resolved = await resolveDevice(config.device, config.gpuCount, redis, keys, config.workerId, hostname(), logger);
  const { device } = resolved;
  let lease = resolved.lease;
  const servers = new Map<string, Promise<ModelVersionServer>>();
  let identity: WorkerIdentity = { id: config.workerId, device: device.label };

  const lookup = (model: string, version: string): Promise<ModelVersionServer> => {
    const key = `${model}\u0000${version}`;
    let server = servers.get(key);
    if (!server) {
      const modelVersion = repository.resolve(model, version); // throws MODEL_NOT_FOUND / VERSION_NOT_FOUND
      server = OnnxSession.load(modelVersion.modelPath, { device, intraOpThreads: config.intraOpThreads }, logger).then((session) => {
        identity = { id: config.workerId, device: session.device };
        return new ModelVersionServer(modelVersion, session, store, identity, logger, predictionLog);
      });
      server.catch(() => servers.delete(key)); // a failed load is retried by the job's next attempt
      servers.set(key, server);
    }
    return server;
  };
  // Load every version now: readiness means ready, and the first request does not pay for loading.
  for (const modelVersion of repository.all()) await lookup(modelVersion.name, modelVersion.version);
  if (lease && identity.device === 'cpu') {
    // The CUDA provider did not load: give the GPU slot back so it does not skew the spread.
    await lease.release();
    lease = undefined;
  }

  // Ends a job that never reached a batch: `expired` for a passed deadline, else `failed`. The
  // store keeps the first final write, so recording an outcome twice is harmless.
  const failJob = async (job: PredictionJobData, error: InferqError) => {
    await store.finish([{
      id: job.id, model: job.model, version: job.version, createdAt: job.createdAt, origin: job.origin,
      status: error.code === 'DEADLINE_EXCEEDED' ? 'expired' : 'failed',
      error: { code: error.code, message: error.message }, timings: { totalMs: Date.now() - job.createdAt },
      worker: identity,
    }]);
  };
  // Predictions of a bundle that cannot run with their neighbours go back on the queue alone.
  const requeueQueues = new PredictionQueues(redis, keys.prefix, (err, model) => logger.warn({ err, model }, 'queue error'));
  const processor = createPredictionProcessor(lookup, failJob, Date.now, async (jobs, priority) => {
    await Promise.all(jobs.map((job) => requeueQueues.enqueue(job, { priority: priority ?? 1 })));
  }, async (job) => (job.payloadKey ? (await redis.getBuffer(job.payloadKey)) ?? undefined : undefined));

  const workers = repository.modelNames().map((model) => {
    const maxBatch = Math.max(1, ...repository.versions(model).map((v) => repository.resolve(model, v).maxBatchSize));
    const worker = new Worker<PredictionJobData | PredictionBundleData>(predictionQueueName(model), processor, {
      connection: redis,
      prefix: keys.prefix,
      // Enough jobs in hand that the next batch fills while the current one computes.
      concurrency: maxBatch * config.concurrencyFactor,
      // Crash recovery: a dead worker's locks lapse after lockDuration, and the next stalled check
      // of any live worker re-queues its jobs (see config.ts for the trade-offs).
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
    });
    worker.on('error', (err) => logger.warn({ model, err }, 'worker error'));
    worker.on('stalled', (jobId) => logger.warn({ jobId, model }, 'job stalled: its worker stopped renewing the lock; re-queued'));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const failure = finalFailure(job, err);
      logger.warn({ jobId: job.id, model, attemptsMade: job.attemptsMade, final: failure !== undefined, err: err }, 'job failed');
      // Input errors already wrote their record (the store ignores the second write); a stall
      // limit or used-up attempts have not, and without this the prediction would never end.
      if (failure) {
        const predictions = job.name === PREDICTION_BUNDLE_JOB_NAME ? (job.data as PredictionBundleData).bundle : [job.data as PredictionJobData];
        Promise.all(predictions.map((p) => failJob(p, failure))).catch((e: Error) => logger.error({ jobId: job.id, err: e }, 'could not record failure'));
      }
    });
    return worker;
  });

  const stopBatchingSync = await startBatchingSync({
    subscriber: redis.duplicate(), redis, keys, logger, concurrencyFactor: config.concurrencyFactor,
    servers: () => Promise.all(servers.values()),
    workers: new Map(repository.modelNames().map((model, i) => [model, workers[i]!])),
  });

  const heartbeat = async () => {
    const stats = await Promise.all([...servers.values()].map((s) => s.then((v) => ({ model: v.model.name, version: v.model.version, ...v.counters }))));
    await redis.set(keys.workerHeartbeat(config.workerId), JSON.stringify({
      ...identity, pid: process.pid, host: hostname(), at: Date.now(), models: stats,
      process: { rssBytes: process.memoryUsage.rss(), cpuSeconds: cpuSeconds() }, predictionLog: predictionLog.counters,
    }), 'PX', DEVICE_LEASE_TTL_MS);
    await lease?.renew();
  };
  await heartbeat();
  const heartbeatTimer = setInterval(() => {
    heartbeat().catch((err: Error) => logger.warn({ err }, 'heartbeat failed'));
  }, Math.floor(DEVICE_LEASE_TTL_MS / 3));
  heartbeatTimer.unref();

  logger.info({ workerId: config.workerId, device: identity.device, models: repository.modelNames() }, 'worker started');

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    clearInterval(heartbeatTimer);
    // Stop fetching and wait for jobs in hand; drain the batchers at the same time so jobs held
    // back by a queue delay run now instead of after it.
    const drains = [...servers.values()].map((s) => s.then((v) => v.drain()).catch(() => {}));
    const results = await Promise.allSettled([...workers.map((w) => w.close()), ...drains]);
    for (const r of results) if (r.status === 'rejected') logger.warn({ err: String(r.reason) }, 'error while closing');
    await stopBatchingSync().catch(() => {});
    await requeueQueues.close();
    await predictionLog.flush();
    await lease?.release().catch(() => {});
    await redis.del(keys.workerHeartbeat(config.workerId)).catch(() => {});
    await redis.quit().catch(() => redis.disconnect());
    logger.info({ workerId: config.workerId }, 'worker stopped');
  })());

  return {
    get identity() { return identity; },
    repository,
    close,
  };
}

/** CPU time (user + system) this process has used, in seconds. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
