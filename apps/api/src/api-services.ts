import { randomBytes } from 'node:crypto';
import { redisKeys } from '@inferq/contract';
import { loadModelRepository } from '@inferq/model-repository';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';
import { ComparisonStore, MonitoringStore, PredictionCache, PredictionEvents, PredictionLog, PredictionStore, RolloutEngine, RolloutStore, storeTrafficControl, TrafficPolicyStore, VersionStatsStore } from '@inferq/predictions';
import { PredictionQueues } from '@inferq/queue';
import { BatchFiles, BatchQueues, BatchSchedules, BatchService, BatchStore } from '@inferq/batch-jobs';
import type { Logger } from '@inferq/logger';
import type { ApiContext } from './api-context.js';
import { ApiKeyStore } from './auth/key-store.js';
import { RateLimiter } from './auth/rate-limiter.js';
import type { ApiConfig } from './config.js';
import { BatchingAdmin } from './batching-admin.js';
import { ApiMetrics } from './metrics.js';
import { MonitoringService } from './monitoring-service.js';
import { ModelControl } from './model-control/model-control.js';
import { createS3Client, openObjectStore } from '@inferq/object-store';
import { join } from 'node:path';
import { PredictionService } from './prediction-service.js';
import { SubmitCache } from './submit-cache.js';
import { TrafficAdmin } from './traffic/traffic-admin.js';
import { TrafficRouter } from './traffic/traffic-router.js';

/** The API's long-lived resources and how to close them. */
export interface ApiServices extends ApiContext {
  /** Closes queues, the subscriber and Redis. Idempotent. */
  close(): Promise<void>;
}

/** Opens Redis (producer + subscriber connections), loads the model repository, wires the service. */
export async function createApiServices(config: ApiConfig, logger: Logger): Promise<ApiServices> {
  const { repository, errors } = loadModelRepository(config.modelRepository);
  for (const error of errors) logger.error(error, 'model not loaded');
  if (repository.modelNames().length === 0) throw new Error(`no model could be loaded from ${config.modelRepository}`);

  const keys = redisKeys(config.keyPrefix);
  const redis = createRedisConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'producer');
  const subscriber = createRedisConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'subscriber');
  // Traffic policy changes: a subscriber of their own (PredictionEvents owns the other).
  const trafficSubscriber = createRedisConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'subscriber');
  // Prediction reads (subscribe, GET, long-poll) on a connection of their own: BullMQ defines its
  // 64 scripts on `redis`, and ioredis copies them all into every pipeline made on it (~15 µs of a
  // quiet core per pipeline, against ~3 on a plain connection): one per subscribe over REST+push.
  // Reads need no ordering with the writes: a record is read after its write was acknowledged.
  const reader = createRedisConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'producer');
  for (const connection of [redis, subscriber, trafficSubscriber, reader]) {
    connection.on('error', (err: Error) => logger.warn({ err }, 'redis connection error'));
  }
  await Promise.all([redis, subscriber, trafficSubscriber, reader].map((connection) => waitUntilReady(connection, 30_000)));

  const origin = randomBytes(8).toString('hex');
  const queues = new PredictionQueues(redis, keys.prefix, (err, model) => logger.warn({ err, model }, 'queue error'));
  const store = new PredictionStore(redis, keys, config.resultTtlSeconds);
  const readStore = new PredictionStore(reader, keys, config.resultTtlSeconds);
  // After a reconnect the subscriber reads what ended while it was away (see PredictionEvents).
  const events = new PredictionEvents(subscriber, keys, (ids) => readStore.getMany(ids));
  await events.start();
  const metrics = new ApiMetrics(repository, queues);
  const uploadDir = join(config.dataDir, 'model-uploads');
  const modelStore = openObjectStore(config.modelStore.url, config.modelStore.s3, { spoolDir: uploadDir });
  const s3 = createS3Client(config.modelStore.s3);
  const modelControl = new ModelControl({
    redis, subscriber: redis.duplicate(), keys, repository, store: modelStore, maxModelBytes: config.maxModelBytes,
    fetch: { fileRoots: config.modelUriFileRoots, s3 }, spoolDir: uploadDir, timeoutMs: config.enqueueTimeoutMs, logger,
  });
  await modelControl.start();
  const trafficStore = new TrafficPolicyStore(redis, keys);
  const traffic = new TrafficRouter(trafficStore, trafficSubscriber, keys, repository, {
    refreshMs: config.trafficRefreshMs,
    servable: (model, version) => modelControl.isServable(model, version),
    onError: (err) => logger.warn({ err }, 'traffic policies not re-read; the cached ones keep serving'),
  });
  await traffic.start();
  events.onAny((event) => {
    if (event.origin === origin) metrics.observeFinal(event);
  });
  const cache = new PredictionCache(redis, keys, { retentionSeconds: config.resultTtlSeconds, logMaxLen: config.predictionLog.maxLen });
  const service = new PredictionService({
    repository, redis, queues, store, events, origin,
    reads: { redis: reader, store: readStore },
    versionGate: (model, version) => modelControl.assertServable(model, version),
    limits: { maxElements: config.maxTensorElements },
    imageLimits: { maxPixels: config.maxImagePixels, maxBytes: config.maxImageBytes },
    enqueueTimeoutMs: config.enqueueTimeoutMs,
    maxQueueSize: config.maxQueueSize,
    coalesceMaxPredictions: config.coalesceMaxPredictions,
    claimCheckBytes: config.claimCheckBytes,
    keys,
    defaultTimeoutMs: config.defaultTimeoutMs,
    replicaWait: { replicas: config.redisWaitReplicas, timeoutMs: config.redisWaitTimeoutMs },
    cache: new SubmitCache({
      cache,
      logSampleRate: config.predictionLog.sampleRate,
      onLookup: (model, version, hit) => metrics.cacheRequests.inc({ model, version, result: hit ? 'hit' : 'miss' }),
    }),
    traffic,
    trafficObserver: {
      routed: (model, version, route) => metrics.countRouted(model, version, route),
      shadow: (model, version, outcome, err) => {
        metrics.shadows.inc({ model, version, outcome });
        if (err) logger.warn({ err, model, version }, 'shadow prediction not queued (the primary is unaffected)');
      },
    },
  });

  const auth = {
    keys: new ApiKeyStore(redis, keys, config.apiKeys, { redisTimeoutMs: config.enqueueTimeoutMs }),
    limiter: new RateLimiter(redis, keys, { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst }, config.enqueueTimeoutMs),
  };
  await auth.keys.enabled(); // known from the start, so routes that need no Redis keep working without it

  const monitoring = new MonitoringService({
    repository, redis, keys, queues, predictions: service, resultTtlSeconds: config.resultTtlSeconds,
    referenceLimits: config.referenceLimits, cache,
    store: new MonitoringStore(redis, keys), log: new PredictionLog(redis, keys),
  });
  metrics.addMonitoringCollectors(repository, monitoring);
  metrics.addBacklogCollectors(repository, store, () => monitoring.workers());
  const comparisons = new ComparisonStore(redis, keys);
  metrics.addComparisonCollectors(repository, comparisons);

  const batchQueues = new BatchQueues(redis, keys.prefix);
  const batches = new BatchService({
    store: new BatchStore(redis, keys, config.resultTtlSeconds), files: new BatchFiles(config.batches.dataDir), queues: batchQueues, uris: config.batches,
  });
  const schedules = new BatchSchedules(batchQueues, () => repository.modelNames());

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await modelControl.close();
    await modelStore.close().catch(() => {});
    s3.destroy();
    await queues.close();
    await batchQueues.close();
    await events.close();
    await traffic.close();
    await redis.quit().catch(() => redis.disconnect());
    await reader.quit().catch(() => reader.disconnect());
  })());
  const batching = new BatchingAdmin(redis, keys, repository, config.enqueueTimeoutMs);
  const trafficAdmin = new TrafficAdmin(redis, repository, trafficStore, comparisons, traffic, config.enqueueTimeoutMs, (model, version) => modelControl.isServable(model, version));
  const versionStats = new VersionStatsStore(redis, keys);
  const rollouts = new RolloutEngine(redis, keys, new RolloutStore(redis, keys),
    storeTrafficControl(trafficStore, redis, keys, {
      versions: (model) => { try { return repository.versions(model); } catch { return []; } },
      isReady: (model, version) => { try { return repository.versions(model).includes(version) && modelControl.isServable(model, version); } catch { return false; } },
      defaultVersion: (model) => { try { return repository.defaultVersion(model); } catch { return undefined; } },
    }), versionStats);
  metrics.addVersionStatsCollectors(repository, versionStats);
  metrics.addRolloutCollectors(repository, rollouts);
  return { config, repository, service, events, metrics, auth, batching, monitoring, traffic: trafficAdmin, batches, schedules, modelControl, rollouts, versionStats, close };
}
