import { hostname } from 'node:os';
import type { Worker } from 'bullmq';
import { redisKeys, type WorkerIdentity } from '@inferq/contract';
import { loadModelRepository, type ModelRepository, type ModelVersion } from '@inferq/model-repository';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';
import { PredictionCache, PredictionLog, PredictionStore, VersionStatsStore, throwOnPipelineError } from '@inferq/predictions';
import { createPredictionWorker, PredictionQueues } from '@inferq/queue';
import { openObjectStore } from '@inferq/object-store';
import type { Logger } from '@inferq/logger';
import type { WorkerConfig } from './config.js';
import { CacheFiller } from './cache-filler.js';
import { ModelVersionServer } from './model-version-server.js';
import { OnnxSession } from './onnx-session.js';
import { sessionOptionsOf } from './session-options.js';
import { dryRun } from './dry-run.js';
import { cachedModelFile } from './model-cache.js';
import { ModelHost } from './model-host.js';
import { startModelControlSync } from './model-control-sync.js';
import { PredictionLogWriter } from './prediction-log-writer.js';
import { startBatchingSync } from './batching-sync.js';
import { startBatchWorkers } from './batches/start-batch-workers.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { VersionStatsWriter } from './version-stats-writer.js';
import { createPredictionHandler, type PredictionServer } from './prediction-processor.js';
import { PipelineServer } from './pipeline-server.js';
import { buildSteps } from './pipeline-steps.js';
import { DEVICE_LEASE_TTL_MS, resolveDevice } from './resolve-device.js';

/** A running worker process's core. */
export interface WorkerApp {
  readonly identity: WorkerIdentity;
  readonly repository: ModelRepository;
  /** Outcome writes Redis refused (and retried), and outcomes written after a refusal. */
  readonly outcomeCounters: Readonly<OutcomeRecorder['counters']>;
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

  const redis = createRedisConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'worker');
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  await waitUntilReady(redis, 30_000);
  const store = new PredictionStore(redis, keys, config.resultTtlSeconds);
  // On the store's connection: cache writes must reach Redis before the outcomes they precede (cache-filler.ts).
  const cacheFiller = new CacheFiller(new PredictionCache(redis, keys, { retentionSeconds: config.resultTtlSeconds }), logger);
  const predictionLog = new PredictionLogWriter(new PredictionLog(redis, keys, config.predictionLogMaxLen), { sampleRate: config.predictionLogSampleRate }, logger);

  const resolved = await resolveDevice(config.device, config.gpuCount, redis, keys, config.workerId, hostname(), logger);
  const { device } = resolved;
  let lease = resolved.lease;
  let identity: WorkerIdentity = { id: config.workerId, device: device.label };
  // The one writer of outcomes: it keeps an outcome Redis refuses and retries until it is written.
  // Every outcome written also counts in its version's live figures (rollout gates, /metrics),
  // after the write and off the jobs' path.
  const versionStats = new VersionStatsWriter(new VersionStatsStore(redis, keys, config.versionStatsTtlSeconds), {
    labelsOf: (model, version) => {
      try { return repository.resolve(model, version).labels; } catch { return undefined; }
    },
  }, logger);
  const outcomes = new OutcomeRecorder({
    finish: async (events) => {
      const written = await store.finish(events);
      versionStats.record(events);
      return written;
    },
  }, () => identity, logger);
  // Model files registered at run time: fetched by content hash from the store, kept in the cache.
  const modelStore = openObjectStore(config.modelStore.url, config.modelStore.s3, { spoolDir: config.modelCacheDir });
  // Predictions of a bundle that cannot run with their neighbours go back on the queue alone;
  // also what an unload reads to know the version's backlog is gone.
  const requeueQueues = new PredictionQueues(redis, keys.prefix, (err, model) => logger.warn({ err, model }, 'queue error'));

  let closing: Promise<void> | undefined;
  const host = new ModelHost({
    repository, workerId: config.workerId, redis, keys, logger,
    backlog: (model, version) => requeueQueues.versionBacklog(model, version),
    open: async (modelVersion) => {
      const path = modelVersion.sha256 ? await cachedModelFile(modelStore, modelVersion.sha256, config.modelCacheDir) : modelVersion.modelPath;
      const session = await OnnxSession.load(path, sessionOptionsOf(modelVersion, { device, intraOpThreads: config.intraOpThreads, allowSpinning: config.allowSpinning }), logger);
      try {
        // Validation before READY: a model that cannot run a zero batch never gets traffic.
        await dryRun(session, modelVersion.inputs, modelVersion.maxBatchSize > 0);
      } catch (error) {
        await session.release().catch(() => {});
        throw new Error(`dry run on a zero batch failed: ${(error as Error).message}`, { cause: error });
      }
      identity = { id: config.workerId, device: session.device };
      return { server: new ModelVersionServer(modelVersion, session, store, outcomes, identity, logger, predictionLog, cacheFiller, { runningMarkDelayMs: config.runningMarkDelayMs }), release: () => session.release() };
    },
  });
  // Model versions run by pipelines are held by the host too (they may be outside MODELS: the
  // worker runs them for the pipeline without serving their queue).
  const serverOf = (modelVersion: ModelVersion): Promise<ModelVersionServer> => host.load(modelVersion.name, modelVersion.version, modelVersion).then((h) => h.server);
  const pipelines = new Map<string, Promise<PipelineServer>>();
  const pipelineOf = (modelVersion: ModelVersion): Promise<PipelineServer> => {
    const key = `${modelVersion.name}\u0000${modelVersion.version}`;
    let server = pipelines.get(key);
    if (!server) {
      server = buildSteps(modelVersion.pipeline!, serverOf)
        .then((steps) => new PipelineServer(modelVersion, steps, store, outcomes, () => identity, logger));
      server.catch(() => pipelines.delete(key));
      pipelines.set(key, server);
    }
    return server;
  };
  const lookup = (model: string, version: string): Promise<PredictionServer> => {
    const modelVersion = repository.resolve(model, version); // throws MODEL_NOT_FOUND / VERSION_NOT_FOUND
    return modelVersion.pipeline ? pipelineOf(modelVersion) : host.lookup(model, version);
  };
  const modelControl = await startModelControlSync({
    subscriber: redis.duplicate(), redis, keys, repository, host, cacheDir: config.modelCacheDir, only: config.models, logger,
  });
  // Load every wanted version now: readiness means ready, and the first request does not pay
  // for loading. A registered version that fails is reported FAILED; the worker still starts.
  for (const modelVersion of repository.all()) {
    if (host.isUnloaded(modelVersion.name, modelVersion.version)) continue;
    if (modelVersion.pipeline) {
      await pipelineOf(modelVersion);
      continue;
    }
    const loading = host.load(modelVersion.name, modelVersion.version);
    if (modelVersion.sha256) await loading.catch(() => {});
    else await loading;
  }
  if (lease && identity.device === 'cpu') {
    // The CUDA provider did not load: give the GPU slot back so it does not skew the spread.
    await lease.release();
    lease = undefined;
  }

  const handle = createPredictionHandler(lookup, outcomes, Date.now,
    async (job) => (job.payloadKey ? (await redis.getBuffer(job.payloadKey)) ?? undefined : undefined));
  // Outcomes BullMQ gave up on (stall limit, attempts used up) are recorded off the job's path;
  // held here so shutdown can wait for them.
  const givenUp = new Set<Promise<void>>();

  // One BullMQ Worker per model queue; a model name registered at run time gets its own.
  const workers = new Map<string, Worker>();
  const openQueueWorker = (model: string) => {
    if (workers.has(model) || closing) return;
    const maxBatch = Math.max(1, ...repository.versions(model).map((v) => repository.resolve(model, v).maxBatchSize));
    const worker = createPredictionWorker(model, handle, {
      connection: redis,
      prefix: keys.prefix,
      // Enough jobs in hand that the next batch fills while the current one computes.
      concurrency: maxBatch * config.concurrencyFactor,
      // Crash recovery: a dead worker's locks lapse after lockDuration, and the next stalled check
      // of any live worker re-queues its jobs (see config.ts for the trade-offs).
      lockDurationMs: config.lockDurationMs,
      stalledIntervalMs: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
      requeue: async (predictions, priority) => {
        await Promise.all(predictions.map((p) => requeueQueues.enqueue(p, { priority })));
      },
      onFailed: (job, err, final) => logger.warn({ jobId: job.id, model, attemptsMade: job.attemptsMade, final, err: err }, 'job failed'),
      onGivenUp: (predictions, error, job) => {
        const recording = outcomes.record(predictions.map((p) => outcomes.failedEvent(p, error)))
          .catch((e: Error) => logger.error({ jobId: job.id, err: e }, 'could not record failure; the prediction can be retried from the dead letters'))
          .finally(() => givenUp.delete(recording));
        givenUp.add(recording);
      },
    });
    worker.on('error', (err) => logger.warn({ model, err }, 'worker error'));
    worker.on('stalled', (jobId) => logger.warn({ jobId, model }, 'job stalled: its worker stopped renewing the lock; re-queued'));
    workers.set(model, worker);
  };
  for (const model of repository.modelNames()) openQueueWorker(model);
  const stopWatchingRepository = repository.onChange((change) => {
    if (change.kind === 'added') openQueueWorker(change.model);
  });

  const stopBatchingSync = await startBatchingSync({
    subscriber: redis.duplicate(), redis, keys, logger, concurrencyFactor: config.concurrencyFactor,
    servers: () => host.servers(),
    workers,
  });

  const stopBatchWorkers = startBatchWorkers({
    redis, keys, repository, lookup, logger, settings: config.batches, resultTtlSeconds: config.resultTtlSeconds,
    concurrency: config.batchJobConcurrency, lockDurationMs: config.lockDurationMs, stalledIntervalMs: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
  });

  const heartbeat = async () => {
    const serving: Array<ModelVersionServer | PipelineServer> = [...(await host.servers()), ...(await Promise.allSettled(pipelines.values())).flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))];
    const stats = serving.map((v) => ({ model: v.model.name, version: v.model.version, ...v.counters }));
    const at = Date.now();
    // The heartbeat, and this worker's entry in the registry readers list heartbeats from.
    await redis.multi().set(keys.workerHeartbeat(config.workerId), JSON.stringify({
      ...identity, pid: process.pid, host: hostname(), at, models: stats,
      process: { rssBytes: process.memoryUsage.rss(), cpuSeconds: cpuSeconds() }, predictionLog: predictionLog.counters, outcomes: outcomes.counters, cache: cacheFiller.counters, versionStats: versionStats.counters,
    }), 'PX', DEVICE_LEASE_TTL_MS).zadd(keys.workers, at, config.workerId).exec().then(throwOnPipelineError);
    await lease?.renew();
  };
  await heartbeat();
  const heartbeatTimer = setInterval(() => {
    heartbeat().catch((err: Error) => logger.warn({ err }, 'heartbeat failed'));
  }, Math.floor(DEVICE_LEASE_TTL_MS / 3));
  heartbeatTimer.unref();

  logger.info({ workerId: config.workerId, device: identity.device, models: repository.modelNames() }, 'worker started');

  const close = () => (closing ??= (async () => {
    clearInterval(heartbeatTimer);
    stopWatchingRepository();
    // Stop fetching and wait for jobs in hand; drain the batchers at the same time so jobs held
    // back by a queue delay run now instead of after it.
    const closed = Promise.allSettled([...[...workers.values()].map((w) => w.close()), stopBatchWorkers(), host.drainAll()]);
    // An outcome Redis keeps refusing is tried once more, then its job is given back to BullMQ
    // (it runs again elsewhere) instead of holding the shutdown up.
    outcomes.close();
    const results = await closed;
    for (const r of results) if (r.status === 'rejected') logger.warn({ err: String(r.reason) }, 'error while closing');
    await Promise.allSettled([...givenUp]);
    await stopBatchingSync().catch(() => {});
    await modelControl.stop().catch(() => {});
    await host.withdrawReports();
    await modelStore.close().catch(() => {});
    await requeueQueues.close();
    await predictionLog.flush();
    await versionStats.flush();
    await lease?.release().catch(() => {});
    await redis.multi().del(keys.workerHeartbeat(config.workerId)).zrem(keys.workers, config.workerId).exec().catch(() => {});
    await redis.quit().catch(() => redis.disconnect());
    logger.info({ workerId: config.workerId }, 'worker stopped');
  })());

  return {
    get identity() { return identity; },
    repository,
    outcomeCounters: outcomes.counters,
    close,
  };
}

/** CPU time (user + system) this process has used, in seconds. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
