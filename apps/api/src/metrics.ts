import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ROLLOUT_STATUSES, type MonitorHealth, type PredictionFinalEvent, type Rollout, type VersionStats, type WindowReport } from '@inferq/contract';
import type { ModelRepository } from '@inferq/model-repository';
import type { ComparisonStore, PredictionStore, RolloutEngine, VersionComparison, VersionStatsStore } from '@inferq/predictions';
import type { PredictionQueues } from '@inferq/queue';
import type { MonitoringService, WorkerHeartbeat } from './monitoring-service.js';
import { CounterSeries, HistogramSeries } from './metric-series.js';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * The API's Prometheus metrics. Worker-side timings arrive with each final-result event; every
 * API process observes only the predictions it accepted (the event's `origin`), so summing over
 * API replicas counts each prediction once.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'inferq_http_requests_total', help: 'HTTP requests by route and status code.',
    labelNames: ['method', 'route', 'status'] as const, registers: [this.registry],
  });
  readonly submitted = new Counter({
    name: 'inferq_predictions_submitted_total', help: 'Predictions accepted into a queue.',
    labelNames: ['model', 'version', 'transport'] as const, registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'inferq_predictions_rejected_total', help: 'Prediction requests refused before queueing, by error code.',
    labelNames: ['code'] as const, registers: [this.registry],
  });
  readonly finished = new Counter({
    name: 'inferq_predictions_finished_total', help: 'Predictions that ended, by status (completed / failed).',
    labelNames: ['model', 'version', 'status'] as const, registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'inferq_queue_wait_seconds', help: 'Time from acceptance to the start of the batch.',
    labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly inference = new Histogram({
    name: 'inferq_inference_seconds', help: 'Duration of the session.run of the batch a prediction ran in.',
    labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly endToEnd = new Histogram({
    name: 'inferq_end_to_end_seconds', help: 'Time from acceptance until the result was stored.',
    labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'inferq_batch_size', help: 'Rows in the batch each prediction ran in.',
    labelNames: ['model', 'version'] as const, buckets: BATCH_BUCKETS, registers: [this.registry],
  });
  /** Prediction cache lookups of versions that cache (docs/cache.md): hit ratio = hit / (hit + miss). */
  readonly cacheRequests = new Counter({
    name: 'inferq_cache_requests_total', help: 'Prediction cache lookups at submit, by result (hit: answered from the cache without a queue job; miss: queued).',
    labelNames: ['model', 'version', 'result'] as const, registers: [this.registry],
  });
  /** Accepted predictions by the version that serves them and why (traffic policies). */
  readonly routed = new Counter({
    name: 'inferq_predictions_routed_total', help: 'Predictions accepted, by the version serving them and the route that chose it (pinned, rule, sticky, weight, default).',
    labelNames: ['model', 'version', 'route'] as const, registers: [this.registry],
  });
  /** Shadow (mirror) predictions queued, or not, by shadow version. */
  readonly shadows = new Counter({
    name: 'inferq_shadow_predictions_total', help: 'Shadow predictions (mirrors of accepted ones on the shadow version): queued, or failed to queue (the primary is unaffected).',
    labelNames: ['model', 'version', 'outcome'] as const, registers: [this.registry],
  });
  /** Connections the API ended for their client's behaviour (server-timeouts.ts, ws-limits.ts). */
  readonly connectionsRefused = new Counter({
    name: 'inferq_connections_refused_total', help: 'Connections closed by the API: over MAX_CONNECTIONS_PER_CLIENT (connection_cap) or a WebSocket client not reading (ws_not_reading).',
    labelNames: ['reason'] as const, registers: [this.registry],
  });

  /** Per-prediction paths: handles on the series above (metric-series.ts). */
  readonly #httpRequests = new CounterSeries(this.httpRequests);
  readonly #submitted = new CounterSeries(this.submitted);
  readonly #routed = new CounterSeries(this.routed);
  readonly #finished = new CounterSeries(this.finished);
  readonly #queueWait = new HistogramSeries(this.queueWait, LATENCY_BUCKETS);
  readonly #inference = new HistogramSeries(this.inference, LATENCY_BUCKETS);
  readonly #endToEnd = new HistogramSeries(this.endToEnd, LATENCY_BUCKETS);
  readonly #batchSize = new HistogramSeries(this.batchSize, BATCH_BUCKETS);

  constructor(repository: ModelRepository, queues: PredictionQueues) {
    collectDefaultMetrics({ register: this.registry, prefix: 'inferq_api_' });
    new Gauge({
      name: 'inferq_queue_depth', help: 'Jobs in each model queue by state.',
      labelNames: ['model', 'state'] as const, registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(repository.modelNames().map(async (model) => {
          try {
            const depth = await queues.depth(model);
            for (const [state, count] of Object.entries(depth)) this.set({ model, state }, count);
          } catch {
            // Redis away: leave the series out rather than fail the whole scrape.
          }
        }));
      },
    });
  }

  /** Records a final-result event accepted by this process. */
  observeFinal(event: PredictionFinalEvent): void {
    const { model, version, status } = event;
    const key = `${model}\u0000${version}`;
    const labels = () => ({ model, version });
    this.#finished.inc(`${key}\u0000${status}`, () => ({ model, version, status }));
    const t = event.timings;
    if (t.queueWaitMs !== undefined) this.#queueWait.observe(key, labels, t.queueWaitMs / 1000);
    if (t.inferenceMs !== undefined) this.#inference.observe(key, labels, t.inferenceMs / 1000);
    if (t.totalMs !== undefined) this.#endToEnd.observe(key, labels, t.totalMs / 1000);
    if (t.batchSize !== undefined) this.#batchSize.observe(key, labels, t.batchSize);
  }

  /** Counts an answered HTTP request (`inferq_http_requests_total`). */
  countHttpRequest(method: string, route: string, statusCode: number): void {
    this.#httpRequests.inc(`${method}\u0000${route}\u0000${statusCode}`, () => ({ method, route, status: String(statusCode) }));
  }

  /** Counts a prediction accepted over `transport` (`inferq_predictions_submitted_total`). */
  countSubmitted(model: string, version: string, transport: 'rest' | 'v2' | 'ws'): void {
    this.#submitted.inc(`${model}\u0000${version}\u0000${transport}`, () => ({ model, version, transport }));
  }

  /** Counts a prediction accepted, by the version serving it and why (`inferq_predictions_routed_total`). */
  countRouted(model: string, version: string, route: string): void {
    this.#routed.inc(`${model}\u0000${version}\u0000${route}`, () => ({ model, version, route }));
  }
  /**
   * The autoscaling signal (docs/kubernetes.md): per model, predictions waiting for a worker
   * (predictions, not BullMQ jobs: a coalesced bundle job holds many) and live workers serving it
   * (from heartbeats). Read from Redis at scrape time, so every API replica reports the same
   * values: aggregate across replicas with `max by (model)`, not `sum`.
   */
  addBacklogCollectors(repository: ModelRepository, store: PredictionStore, workers: () => Promise<WorkerHeartbeat[]>): void {
    new Gauge({
      name: 'inferq_predictions_waiting', help: 'Predictions accepted and not yet taken by a worker, per model (the autoscaling signal).',
      labelNames: ['model'] as const, registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(repository.modelNames().map(async (model) => {
          try {
            this.set({ model }, await store.queuedCount(model));
          } catch {
            // Redis away: leave the series out rather than fail the whole scrape.
          }
        }));
      },
    });
    new Gauge({
      name: 'inferq_model_workers_live', help: 'Live workers (heartbeat present) serving each model.',
      labelNames: ['model'] as const, registers: [this.registry],
      async collect() {
        this.reset();
        let live: WorkerHeartbeat[];
        try {
          live = await workers();
        } catch {
          return; // Redis away: no series
        }
        for (const model of repository.modelNames()) {
          this.set({ model }, live.filter((w) => w.models?.some((m) => m.model === model)).length);
        }
      },
    });
  }

  /**
   * Shadow pair comparisons, read from Redis at scrape time (every replica reports the same: use
   * `max`): agreement, mean absolute output difference and rows compared of each version against
   * each baseline it was compared with.
   */
  addComparisonCollectors(repository: ModelRepository, comparisons: ComparisonStore): void {
    let cached: { at: number; value: Promise<Array<VersionComparison & { model: string }>> } | undefined;
    const read = () => {
      if (!cached || Date.now() - cached.at > 1_000) {
        cached = {
          at: Date.now(),
          value: Promise.all(repository.modelNames().map(async (model) => (await comparisons.list(model)).map((c) => ({ ...c, model })))).then((all) => all.flat()),
        };
      }
      return cached.value;
    };
    const gauge = (name: string, help: string, value: (c: VersionComparison) => number | null) => new Gauge({
      name, help, labelNames: ['model', 'version', 'baseline'] as const, registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const c of await read()) {
            const v = value(c);
            if (v !== null) this.set({ model: c.model, version: c.version, baseline: c.baseline }, v);
          }
        } catch {
          // Redis away: leave the series out rather than fail the whole scrape.
        }
      },
    });
    gauge('inferq_shadow_agreement', 'Share of rows on which a version (shadow) chose the same class as its baseline (the primary) on the same inputs.', (c) => c.agreement);
    gauge('inferq_shadow_mean_abs_diff', 'Mean absolute difference of the floating-point outputs of a version (shadow) and its baseline on the same inputs.', (c) => c.meanAbsDiff);
    gauge('inferq_shadow_samples', 'Rows compared between a version (shadow) and its baseline.', (c) => c.samples);
  }

  /**
   * Gauges read from Redis at scrape time: live workers and their CPU / memory (from heartbeats),
   * and per model version the figures of the monitor's latest window (inputs, outputs, drift) and
   * the latest feedback accuracy. One snapshot (a few Redis reads) serves a whole scrape.
   */
  addMonitoringCollectors(repository: ModelRepository, monitoring: MonitoringService): void {
    const registers = [this.registry];
    let cached: { at: number; value: Promise<MonitoringSnapshot> } | undefined;
    const snapshot = (): Promise<MonitoringSnapshot> => {
      if (!cached || Date.now() - cached.at > 1_000) cached = { at: Date.now(), value: readSnapshot(repository, monitoring) };
      return cached.value;
    };
    const gauge = (name: string, help: string, labelNames: readonly string[], fill: (g: Gauge<string>, s: MonitoringSnapshot) => void) => new Gauge({
      name, help, labelNames, registers,
      async collect() {
        this.reset();
        try {
          fill(this, await snapshot());
        } catch {
          // Redis away: leave the series out rather than fail the whole scrape.
        }
      },
    });
    gauge('inferq_workers_live', 'Workers whose heartbeat key is present (they heartbeat every few seconds).', [], (g, s) => g.set(s.workers.length));
    gauge('inferq_worker_resident_memory_bytes', 'Resident memory of each live worker process (from its heartbeat).', ['worker', 'device'], (g, s) => {
      for (const w of s.workers) if (w.process) g.set({ worker: w.id, device: w.device }, w.process.rssBytes);
    });
    gauge('inferq_worker_cpu_seconds', 'CPU seconds (user + system) each live worker process has used (from its heartbeat; take its rate).', ['worker', 'device'], (g, s) => {
      for (const w of s.workers) if (w.process) g.set({ worker: w.id, device: w.device }, w.process.cpuSeconds);
    });
    gauge('inferq_worker_heartbeat_age_seconds', 'Seconds since each live worker last wrote its heartbeat.', ['worker'], (g, s) => {
      for (const w of s.workers) g.set({ worker: w.id }, Math.max(0, (s.at - w.at) / 1000));
    });
    gauge('inferq_monitor_up', '1 while a monitor heartbeat key lives; 0 once every monitor has stopped or died, or when none ever ran on this Redis.', [], (g, s) => {
      g.set(s.monitorHealth.state === 'up' ? 1 : 0);
    });
    gauge('inferq_monitor_last_seen_seconds', 'Seconds since any monitor last wrote its heartbeat (absent when none ever ran).', [], (g, s) => {
      if (s.monitorHealth.lastSeenAt !== null) g.set(Math.max(0, (s.at - s.monitorHealth.lastSeenAt) / 1000));
    });
    const perVersion = (name: string, help: string, fill: (set: (value: number | null | undefined, extra?: Record<string, string>) => void, r: WindowReport) => void, extraLabels: readonly string[] = []) =>
      gauge(name, help, ['model', 'version', ...extraLabels], (g, s) => {
        for (const r of s.reports) {
          fill((value, extra = {}) => {
            if (value !== null && value !== undefined && Number.isFinite(value)) g.set({ model: r.model, version: r.version, ...extra }, value);
          }, r);
        }
      });
    perVersion('inferq_monitor_window', 'Sequence number of the latest monitoring window of each version.', (set, r) => set(r.window));
    perVersion('inferq_monitor_feature_mean', 'Mean of each input feature over the latest window.', (set, r) => {
      for (const [feature, f] of Object.entries(r.features)) set(f.mean, { feature });
    }, ['feature']);
    perVersion('inferq_monitor_feature_std', 'Standard deviation of each input feature over the latest window.', (set, r) => {
      for (const [feature, f] of Object.entries(r.features)) set(f.std, { feature });
    }, ['feature']);
    perVersion('inferq_monitor_feature_missing', 'Missing or non-finite values of each input feature in the latest window.', (set, r) => {
      for (const [feature, f] of Object.entries(r.features)) set(f.missing, { feature });
    }, ['feature']);
    perVersion('inferq_monitor_class_share', 'Share of each predicted class in the latest window.', (set, r) => {
      const total = Object.values(r.outputs.classCounts).reduce((a, b) => a + b, 0);
      for (const [cls, count] of Object.entries(r.outputs.classCounts)) set(total > 0 ? count / total : null, { class: cls });
    }, ['class']);
    perVersion('inferq_monitor_mean_confidence', 'Mean confidence (largest probability) over the latest window.', (set, r) => set(r.outputs.meanConfidence));
    perVersion('inferq_monitor_null_outputs', 'Rows without a usable output in the latest window.', (set, r) => set(r.outputs.nullOutputs));
    perVersion('inferq_monitor_drift_share', 'Share of features that drifted in the latest window.', (set, r) => set(r.drift?.share));
    perVersion('inferq_monitor_dataset_drift', '1 when the latest window shows dataset drift (share of drifted features at or above the threshold).', (set, r) => set(r.drift ? Number(r.drift.datasetDrift) : null));
    perVersion('inferq_monitor_feature_drift_score', 'Drift score of each feature in the latest window: a p-value (method ks, chi-squared, z-test) or a distance.', (set, r) => {
      for (const [feature, d] of Object.entries(r.drift?.features ?? {})) set(d.score, { feature, method: d.method });
    }, ['feature', 'method']);
    gauge('inferq_monitor_accuracy', 'Accuracy of the latest feedback window of each version (labels from POST /v1/predictions/{id}/feedback).', ['model', 'version'], (g, s) => {
      for (const a of s.accuracy) g.set({ model: a.model, version: a.version }, a.value);
    });
  }

  /**
   * Per-version live figures over the last VERSION_STATS_WINDOW_SECONDS (60 s), from the
   * per-second buckets every worker writes (so every API replica shows the same, whole-fleet
   * values: do not sum them over replicas). Names start `inferq_version_`, apart from the API's
   * own per-replica counters.
   */
  addVersionStatsCollectors(repository: ModelRepository, stats: VersionStatsStore): void {
    const registers = [this.registry];
    let cached: { at: number; value: Promise<VersionStats[]> } | undefined;
    const snapshot = (): Promise<VersionStats[]> => {
      if (!cached || Date.now() - cached.at > 1_000) {
        const versions = repository.modelNames().flatMap((model) => repository.versions(model).map((version) => ({ model, version })));
        cached = { at: Date.now(), value: Promise.all(versions.map(({ model, version }) => stats.window(model, version, VERSION_STATS_WINDOW_SECONDS))) };
      }
      return cached.value;
    };
    const gauge = (name: string, help: string, labelNames: readonly string[], fill: (g: Gauge<string>, s: VersionStats) => void) => new Gauge({
      name, help, labelNames: ['model', 'version', ...labelNames], registers,
      async collect() {
        this.reset();
        try {
          for (const s of await snapshot()) fill(this, s);
        } catch {
          // Redis away: leave the series out rather than fail the whole scrape.
        }
      },
    });
    gauge('inferq_version_requests_per_second', 'Predictions of each version that ended per second (completed, failed, expired; every worker), over the last 60 s.', [], (g, s) => g.set({ model: s.model, version: s.version }, s.requestsPerSecond));
    gauge('inferq_version_error_rate', 'Share of the predictions of each version that ended failed or expired, over the last 60 s (0 without predictions).', [], (g, s) => g.set({ model: s.model, version: s.version }, s.errorRate));
    gauge('inferq_version_latency_ms', 'End-to-end latency percentiles (acceptance → result stored) of completed predictions of each version, over the last 60 s; bucket upper bounds, at most 10 % high.', ['quantile'], (g, s) => {
      if (s.requests === s.errors) return;
      for (const [quantile, value] of [['0.5', s.latencyMs.p50], ['0.95', s.latencyMs.p95], ['0.99', s.latencyMs.p99]] as const) g.set({ model: s.model, version: s.version, quantile }, value);
    });
    gauge('inferq_version_class_share', 'Share of the rows of each version predicted as each class, over the last 60 s.', ['class'], (g, s) => {
      for (const [cls, share] of Object.entries(s.classShares)) g.set({ model: s.model, version: s.version, class: cls }, share);
    });
  }

  /** The latest rollout of each model: its status (one series per status, 1 for the current) and step/weight. */
  addRolloutCollectors(repository: ModelRepository, rollouts: RolloutEngine): void {
    const registers = [this.registry];
    let cached: { at: number; value: Promise<Rollout[]> } | undefined;
    const snapshot = (): Promise<Rollout[]> => {
      if (!cached || Date.now() - cached.at > 1_000) {
        cached = { at: Date.now(), value: Promise.all(repository.modelNames().map((model) => rollouts.list(model, 1))).then((lists) => lists.flat()) };
      }
      return cached.value;
    };
    const gauge = (name: string, help: string, labelNames: readonly string[], fill: (g: Gauge<string>, r: Rollout) => void) => new Gauge({
      name, help, labelNames: ['model', 'version', ...labelNames], registers,
      async collect() {
        this.reset();
        try {
          for (const r of await snapshot()) fill(this, r);
        } catch {
          // Redis away: leave the series out rather than fail the whole scrape.
        }
      },
    });
    gauge('inferq_rollout_status', 'Status of the latest rollout of each model (1 for its status, 0 for the others); version = the candidate.', ['status'], (g, r) => {
      for (const status of ROLLOUT_STATUSES) g.set({ model: r.model, version: String(r.version), status }, r.status === status ? 1 : 0);
    });
    gauge('inferq_rollout_weight_percent', "Candidate weight (percent) the latest rollout of each model has set; 0 once rolled back or aborted.", [], (g, r) => g.set({ model: r.model, version: String(r.version) }, r.weight));
    gauge('inferq_rollout_step', 'Step (1-based) the latest rollout of each model is at.', [], (g, r) => g.set({ model: r.model, version: String(r.version) }, r.step));
  }
}

/** Window of the `inferq_version_*` gauges, seconds. */
export const VERSION_STATS_WINDOW_SECONDS = 60;

/** What the monitoring gauges show, read once per scrape. */
interface MonitoringSnapshot {
  at: number;
  workers: WorkerHeartbeat[];
  monitorHealth: MonitorHealth;
  reports: WindowReport[];
  accuracy: Array<{ model: string; version: string; value: number }>;
}

async function readSnapshot(repository: ModelRepository, monitoring: MonitoringService): Promise<MonitoringSnapshot> {
  const versions = repository.modelNames().flatMap((model) => repository.versions(model).map((version) => ({ model, version })));
  const [workers, monitorHealth, reports, accuracy] = await Promise.all([
    monitoring.workers(),
    monitoring.monitorHealth(),
    Promise.all(versions.map(async ({ model, version }) => (await monitoring.drift(model, version, 1)).reports)),
    Promise.all(versions.map(async ({ model, version }) => {
      const points = (await monitoring.series(model, version, ['accuracy'], { limit: 1 })).series.accuracy ?? [];
      const last = points.at(-1);
      return last ? [{ model, version, value: last.v }] : [];
    })),
  ]);
  return { at: Date.now(), workers, monitorHealth, reports: reports.flat(), accuracy: accuracy.flat() };
}
