import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { MONITOR_CONSUMER_GROUP, redisKeys, type FeedbackEntry, type PredictionLogEntry, type WindowReport } from '@inferq/contract';
import { loadModelRepository, type ModelRepository, type ModelVersion } from '@inferq/model-repository';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';
import { MonitoringStore, parseBatch, parseEntry, registryVersionFacts, RolloutEngine, RolloutStore, storeTrafficControl, TrafficPolicyStore, VersionStatsStore, type TrafficControl } from '@inferq/predictions';
import type { Logger } from '@inferq/logger';
import { AlertManager } from './alert-manager.js';
import { accuracyAlert, ANOMALY_RULES, anomalyHistory, windowAlerts, type AlertRuleSettings } from './alert-rules.js';
import type { MonitorConfig } from './config.js';
import { ReferenceProfiles } from './reference-profiles.js';
import { RolloutDriver } from './rollout-driver.js';
import { rolloutAlert } from './rollout-alert.js';
import { StreamConsumer, type StreamEntry } from './stream-consumer.js';
import { WindowBuffer, type BufferedItem, type ClosedWindow } from './window-buffer.js';
import { windowItemOf, windowItemsOfBatch, type WindowItem } from './window-item.js';
import { buildWindowReport } from './window-report.js';
import { seriesOfReport } from './window-series.js';

/** The rolling accuracy of a version after new feedback: over its last FEEDBACK_WINDOW_SIZE labels. */
export interface AccuracyWindow {
  model: string;
  version: string;
  /** Labels received for the version so far (numbers the points of the `accuracy` series). */
  window: number;
  /** Labels in the rolling window (FEEDBACK_WINDOW_SIZE once that many arrived). */
  labels: number;
  /** Right ones / labels, over the window. */
  accuracy: number;
}

/** A running monitor. */
export interface MonitorApp {
  readonly id: string;
  /** Alert counters (raised, suppressed by cooldown, webhook deliveries). */
  readonly alertCounters: AlertManager['counters'];
  /** The rollout driver (drives only while this monitor holds the leader lock). */
  readonly rollouts: RolloutDriver;
  /** Calls `listener` after each prediction window is stored. Returns the remover. */
  onWindow(listener: (report: WindowReport) => void): () => void;
  /** Calls `listener` after each update of a version's rolling accuracy. Returns the remover. */
  onAccuracy(listener: (window: AccuracyWindow) => void): () => void;
  /** Stops reading, finishes the batch in hand and webhook deliveries, closes Redis. Idempotent. */
  close(): Promise<void>;
}

/** Options for tests. */
export interface MonitorAppOptions {
  /** Webhook transport. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** The model repository (else loaded from config.modelRepository). */
  repository?: ModelRepository;
  /** The traffic policy as rollouts use it. @defaultValue the TrafficPolicyStore with the repository's versions */
  traffic?: (redis: Redis) => TrafficControl;
}

/**
 * Starts a monitor: reads the prediction log and the feedback log through the `monitor` consumer
 * group (several monitors share the work), fills per-version windows in Redis, and for each
 * closed window stores its report and metric series, then raises the alerts it calls for.
 */
export async function startMonitorApp(config: MonitorConfig, logger: Logger, options: MonitorAppOptions = {}): Promise<MonitorApp> {
  const keys = redisKeys(config.keyPrefix);
  let repository = options.repository;
  if (!repository) {
    const loaded = loadModelRepository(config.modelRepository);
    for (const error of loaded.errors) logger.warn(error, 'model not loaded; its windows get no labels or reference');
    repository = loaded.repository;
  }
  const models = repository;
  const redis = createRedisConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'worker');
  const blocking = createRedisConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'worker', { connectionName: 'inferq-monitor-reader' });
  for (const connection of [redis, blocking]) connection.on('error', (err: Error) => logger.warn({ err }, 'redis connection error'));
  await Promise.all([waitUntilReady(redis, 30_000), waitUntilReady(blocking, 30_000)]);

  const store = new MonitoringStore(redis, keys, {
    seriesMaxPoints: config.seriesMaxPoints, maxReports: config.maxReports, alertHistoryMaxLen: config.alertHistoryMaxLen,
  });
  const predictionWindows = new WindowBuffer(redis, keys, 'predictions', config.windowSize, config.windowMs);
  const references = new ReferenceProfiles(store, logger, config.referenceLimits);
  const alerts = new AlertManager(store, {
    cooldownMs: config.alertCooldownMs, ...(config.alertWebhookUrl !== undefined ? { webhookUrl: config.alertWebhookUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  }, logger);
  const settings: AlertRuleSettings = {
    latencyP95ThresholdMs: config.latencyP95ThresholdMs, minMeanConfidence: config.minMeanConfidence, maxErrorRate: config.maxErrorRate,
    accuracyThreshold: config.accuracyThreshold, anomalyK: config.anomalyK, anomalySeasonLength: config.anomalySeasonLength,
  };
  const windowListeners = new Set<(report: WindowReport) => void>();
  const accuracyListeners = new Set<(window: AccuracyWindow) => void>();
  const seen = new Set<string>(models.all().map((m) => `${m.name}\u0000${m.version}`));

  const versionOf = (model: string, version: string): ModelVersion | undefined => {
    try {
      return models.resolve(model, version);
    } catch {
      return undefined;
    }
  };

  const handlePredictionWindow = async (model: string, version: string, closed: ClosedWindow) => {
    const items = closed.items.flatMap((text) => {
      try { return [JSON.parse(text) as WindowItem]; } catch { return []; }
    });
    const modelVersion = versionOf(model, version);
    // A window takes two Redis round trips, one read and one script that stores everything: each
    // round trip costs the monitor more CPU than the commands in it (docs/benchmarks.md).
    const anomalySeries = ANOMALY_RULES.map(({ series }) => series);
    // The anomaly history minus this window's point, which is added below as it is stored.
    const context = await store.readWindowContext(model, version, config.driftPersistence - 1, { names: anomalySeries, limit: anomalyHistory(settings) - 1 });
    const reference = modelVersion ? await references.get(modelVersion, { uploadedAt: context.referenceUploadedAt }) : undefined;
    const previous = context.previous;
    const report = buildWindowReport({
      model, version, seq: closed.seq, items, previous,
      drift: { shareThreshold: config.driftShareThreshold, persistence: config.driftPersistence },
      ...(modelVersion?.labels ? { labels: modelVersion.labels } : {}),
      ...(reference ? { reference } : {}),
    });
    const points = seriesOfReport(report);
    const history = context.history;
    for (const { name, point } of points) history[name]?.push(point);
    const raised = windowAlerts(report, history, settings);
    // Series, alerts (those out of cooldown), then the report, in one script: once a reader sees
    // the report, the window's series and alerts are stored too.
    alerts.settle(raised, await store.storeWindow(report, points, raised, alerts.cooldownMs));
    logger.debug({ model, version, window: report.window, rows: report.rows, drift: report.drift?.share }, 'window stored');
    for (const listener of windowListeners) listener(report);
  };

  /**
   * Feedback moves the version's rolling accuracy (last feedbackWindowSize labels) at once: no
   * label waits for others. The alert is judged only on a full window, so a few early labels
   * cannot raise it.
   */
  const handleFeedback = async (entries: StreamEntry[]) => {
    const byVersion = new Map<string, { model: string; version: string; outcomes: boolean[]; t: number }>();
    for (const [, fields] of entries) {
      const entry = parseEntry<FeedbackEntry>(fields);
      if (!entry || typeof entry.model !== 'string' || typeof entry.version !== 'string' || !Array.isArray(entry.actual)) continue;
      const key = `${entry.model}\u0000${entry.version}`;
      let group = byVersion.get(key);
      if (!group) byVersion.set(key, (group = { model: entry.model, version: entry.version, outcomes: [], t: 0 }));
      entry.actual.forEach((actual, i) => group.outcomes.push(entry.predicted[i] === actual));
      group.t = Math.max(group.t, entry.at);
    }
    for (const { model, version, outcomes, t } of byVersion.values()) {
      if (outcomes.length === 0) continue;
      const { labels, correct, seq } = await store.addAccuracyOutcomes(model, version, outcomes, config.feedbackWindowSize);
      if (labels === 0) continue;
      const accuracy = correct / labels;
      await store.appendSeries(model, version, [
        { name: 'accuracy', point: { t, v: accuracy, window: seq } },
        { name: 'feedback_labels', point: { t, v: labels, window: seq } },
      ]);
      const alert = labels >= config.feedbackWindowSize ? accuracyAlert(model, version, seq, accuracy, labels, settings) : undefined;
      if (alert) await alerts.raise(alert);
      for (const listener of accuracyListeners) listener({ model, version, window: seq, labels, accuracy });
    }
  };

  /**
   * Groups the predictions of a read by version, keeping their order, and feeds each version's
   * window with one call. A batch entry (one per worker batch) is parsed once for all its predictions.
   */
  const feedPredictions = async (entries: StreamEntry[]) => {
    const byVersion = new Map<string, { model: string; version: string; items: BufferedItem[] }>();
    const add = (model: unknown, version: unknown, items: WindowItem[]) => {
      if (typeof model !== 'string' || typeof version !== 'string') return;
      const key = `${model}\u0000${version}`;
      seen.add(key);
      let group = byVersion.get(key);
      if (!group) byVersion.set(key, (group = { model, version, items: [] }));
      for (const item of items) group.items.push({ json: JSON.stringify(item), rows: item.r });
    };
    for (const [, fields] of entries) {
      const batch = parseBatch(fields);
      if (batch) {
        let items: WindowItem[];
        try {
          items = windowItemsOfBatch(batch);
        } catch (error) {
          // A malformed entry is skipped (and acknowledged), never retried forever.
          logger.warn({ err: error, model: batch.model, version: batch.version }, 'malformed prediction log batch skipped');
          continue;
        }
        add(batch.model, batch.version, items);
        continue;
      }
      const entry = parseEntry<PredictionLogEntry>(fields);
      if (entry) add(entry.model, entry.version, [windowItemOf(entry)]);
    }
    for (const { model, version, items } of byVersion.values()) {
      for (const closed of await predictionWindows.append(model, version, items)) await handlePredictionWindow(model, version, closed);
    }
  };

  const consumer = new StreamConsumer(blocking, redis, [keys.predictionLog, keys.feedbackLog], {
    group: MONITOR_CONSUMER_GROUP, consumer: config.monitorId,
  }, async (stream, entries) => {
    if (stream === keys.predictionLog) {
      await feedPredictions(entries);
    } else {
      await handleFeedback(entries);
    }
  }, (error) => logger.warn({ err: error }, 'monitor read failed; retrying'));
  await store.putSettings({
    windowSize: config.windowSize, windowMs: config.windowMs, feedbackWindowSize: config.feedbackWindowSize,
    driftShareThreshold: config.driftShareThreshold, driftPersistence: config.driftPersistence, accuracyThreshold: config.accuracyThreshold,
    latencyP95ThresholdMs: config.latencyP95ThresholdMs, minMeanConfidence: config.minMeanConfidence, maxErrorRate: config.maxErrorRate,
  });
  // Heartbeat first, so the monitor shows `up` as soon as it reads; then every heartbeatMs.
  const startedAt = Date.now();
  const beat = () => store.beat({ id: config.monitorId, pid: process.pid, host: hostname(), at: Date.now(), startedAt, intervalMs: config.heartbeatMs });
  await beat();
  let beating: Promise<void> | undefined;
  const heartbeat = setInterval(() => {
    beating ??= beat().catch((error: Error) => logger.warn({ err: error }, 'heartbeat not written')).finally(() => { beating = undefined; });
  }, config.heartbeatMs);
  heartbeat.unref();
  await consumer.start();

  // Rollouts: the monitor holding the leader lock drives them (state in Redis: any monitor can take over).
  // Versions registered at run time are not in this process's repository: their READY state is read
  // from the workers' reports before each tick.
  const versionFacts = registryVersionFacts(redis, keys, models);
  const traffic = options.traffic?.(redis) ?? storeTrafficControl(new TrafficPolicyStore(redis, keys), redis, keys, versionFacts);
  const engine = new RolloutEngine(redis, keys, new RolloutStore(redis, keys), traffic, new VersionStatsStore(redis, keys), {
    onRolledBack: async (rollout, event) => { await alerts.raise(rolloutAlert(rollout, event)); },
  });
  const rollouts = new RolloutDriver(engine, redis, keys, { id: config.monitorId, tickMs: config.rolloutTickMs, leaderTtlMs: config.rolloutLeaderTtlMs, beforeTick: () => versionFacts.refresh() }, logger);
  rollouts.start();

  // Time-based windows also close when no new prediction arrives.
  let ticking: Promise<void> | undefined;
  const ticker = config.windowMs > 0 ? setInterval(() => {
    ticking ??= (async () => {
      for (const key of seen) {
        const [model, version] = key.split('\u0000') as [string, string];
        const closed = await predictionWindows.closeIfDue(model, version);
        if (closed) await handlePredictionWindow(model, version, closed);
      }
    })().catch((error: Error) => logger.warn({ err: error }, 'closing due windows failed')).finally(() => { ticking = undefined; });
  }, Math.min(1_000, Math.max(100, Math.floor(config.windowMs / 4)))) : undefined;
  ticker?.unref();

  logger.info({ monitorId: config.monitorId, windowSize: config.windowSize, windowMs: config.windowMs, webhook: config.alertWebhookUrl !== undefined }, 'monitor started');

  let closing: Promise<void> | undefined;
  return {
    id: config.monitorId,
    alertCounters: alerts.counters,
    rollouts,
    onWindow(listener) {
      windowListeners.add(listener);
      return () => windowListeners.delete(listener);
    },
    onAccuracy(listener) {
      accuracyListeners.add(listener);
      return () => accuracyListeners.delete(listener);
    },
    close: () => (closing ??= (async () => {
      if (ticker) clearInterval(ticker);
      clearInterval(heartbeat);
      try { await rollouts.close(); } catch (error) { logger.warn({ err: error }, 'error stopping the rollout driver'); }
      try { await consumer.stop(); } catch (error) { logger.warn({ err: error }, 'error stopping the reader'); }
      try { await ticking; } catch { /* logged above */ }
      try { await alerts.flush(); } catch (error) { logger.warn({ err: error }, 'error flushing webhooks'); }
      try {
        await beating;
        await store.endHeartbeat(config.monitorId, Date.now());
      } catch (error) { logger.warn({ err: error }, 'heartbeat not removed; it expires by itself'); }
      await blocking.quit().catch(() => blocking.disconnect());
      await redis.quit().catch(() => redis.disconnect());
      logger.info({ monitorId: config.monitorId }, 'monitor stopped');
    })()),
  };
}
