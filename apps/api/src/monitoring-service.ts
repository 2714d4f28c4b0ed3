import type { Redis } from 'ioredis';
import {
  InferqError, previewValue, type AlertEvent, type MonitorHealth, type ExportedPredictionLogEntry, type FeedbackEntry, type MonitorSettings, type RedisKeys, type SeriesPoint, type WindowReport,
} from '@inferq/contract';
import type { ModelRepository, ModelVersion } from '@inferq/model-repository';
import { parseLogSince, type MonitoringStore, type PredictionCache, type PredictionLog, type PredictionLogQuery } from '@inferq/predictions';
import type { PredictionQueues, QueueDepth } from '@inferq/queue';
import { checkReferenceFeatures, parseReferenceCsvAsync, ReferenceCsvError, type ReferenceCsvLimits } from '@inferq/monitoring';
import { summarizeOutputs, type SummarisableTensor } from '@inferq/tensor';
import type { PredictionService } from './prediction-service.js';
import { readWorkerHeartbeats } from './worker-heartbeats.js';

/** Everything the monitoring routes need, injected. */
export interface MonitoringServiceDeps {
  repository: ModelRepository;
  redis: Redis;
  keys: RedisKeys;
  store: MonitoringStore;
  log: PredictionLog;
  predictions: PredictionService;
  queues: PredictionQueues;
  /** How long the "feedback given" marker of a prediction lives (its retention). */
  resultTtlSeconds: number;
  /** Bounds on reference uploads (the monitor reads them with the same limits). @defaultValue DEFAULT_REFERENCE_LIMITS */
  referenceLimits?: ReferenceCsvLimits;
  /** The prediction cache, for its per-version figures in `status` (docs/cache.md). @defaultValue none: `cache` is null */
  cache?: PredictionCache;
}

/** A worker's heartbeat as the worker writes it (`{prefix}:worker:{id}`). */
export interface WorkerHeartbeat {
  id: string;
  device: string;
  pid?: number;
  host?: string;
  at: number;
  models?: Array<{ model: string; version: string; batches: number; predictions: number; failures: number }>;
  process?: { rssBytes: number; cpuSeconds: number };
}

/** `GET /v1/monitoring/status`: what is served and who serves it, right now. */
export interface MonitoringStatus {
  at: number;
  models: Array<{ name: string; queue: QueueDepth | null; versions: Array<{ version: string; labels?: string[]; features: string[]; window: OpenWindow | null; cache: VersionCacheStatus | null }> }>;
  workers: WorkerHeartbeat[];
  /** Thresholds of the monitor (null: no monitor has run on this Redis). */
  monitor: MonitorSettings | null;
  /** Whether a monitor is running (heartbeats): `up`, `down` with `downSince`, or `never`. */
  monitorHealth: MonitorHealth;
}

/** The prediction cache of a version that caches: its settings, entries held, and lookups by all API processes. */
export interface VersionCacheStatus {
  ttlSeconds: number;
  maxEntries: number;
  entries: number;
  hits: number;
  misses: number;
}

/** The monitoring window a version is filling: rows so far, its first row's time, windows closed before it. */
export interface OpenWindow {
  rows: number;
  startedAt: number | null;
  closed: number;
}

/** Longest export in one request. */
export const MAX_EXPORT_LIMIT = 1_000_000;

/**
 * The transport-free core of the monitoring routes: prediction log export, feedback, reference
 * uploads, and reads of what the monitor stored (window reports, series, alerts).
 */
export class MonitoringService {
  readonly #deps: MonitoringServiceDeps;

  constructor(deps: MonitoringServiceDeps) {
    this.#deps = deps;
  }

  /** The version a route names; throws MODEL_NOT_FOUND / VERSION_NOT_FOUND. */
  resolve(model: string, version?: string): ModelVersion {
    return this.#deps.repository.resolve(model, version);
  }

  /**
   * The prediction log, oldest first. `since`: epoch ms or ISO time (entries appended then or
   * later), or a `logId` from an earlier export (entries after it: a cursor).
   */
  exportLog(query: { model?: string; version?: string; since?: string; limit?: number }): AsyncGenerator<ExportedPredictionLogEntry> {
    const read: PredictionLogQuery = { limit: Math.min(query.limit ?? MAX_EXPORT_LIMIT, MAX_EXPORT_LIMIT) };
    if (query.model !== undefined) read.model = query.model;
    if (query.version !== undefined) read.version = query.version;
    if (query.since !== undefined) Object.assign(read, parseSince(query.since));
    return this.#deps.log.read(read);
  }

  /**
   * Records the true class of a completed prediction (one per row), once.
   * @param label - a class index or label name, or an array of them (one per row).
   * @param viewer - restricts to this API key's predictions, as reads are.
   */
  async feedback(id: string, label: unknown, viewer?: string): Promise<FeedbackEntry & { correct: boolean[] }> {
    const record = await this.#deps.predictions.get(id, viewer);
    if (record.status !== 'completed' || !record.result) {
      throw new InferqError('FEEDBACK_CONFLICT', `prediction "${id}" is ${record.status}; only completed predictions take feedback`);
    }
    const model = this.#deps.repository.resolve(record.model, record.version);
    const outputs = record.result.outputs as unknown as SummarisableTensor[];
    const summary = summarizeOutputs(outputs, model.labels);
    if (!summary) throw new InferqError('INVALID_FEEDBACK', `the outputs of prediction "${id}" hold no class to compare a label with`);
    const predicted = summary.classes;
    const given = Array.isArray(label) ? label : [label];
    if (given.length !== predicted.length) {
      throw new InferqError('INVALID_FEEDBACK', `prediction "${id}" has ${predicted.length} row(s); give one label per row (got ${given.length})`);
    }
    const classCount = model.labels?.length ?? classCountOf(outputs);
    const actual = given.map((value) => classIndex(value, model.labels, classCount));
    const entry: FeedbackEntry = { id, model: record.model, version: record.version, at: Date.now(), predicted, actual };
    if (!(await this.#deps.store.addFeedback(entry, this.#deps.resultTtlSeconds))) {
      throw new InferqError('FEEDBACK_CONFLICT', `feedback for prediction "${id}" was already recorded`);
    }
    return { ...entry, correct: actual.map((a, i) => predicted[i] === a) };
  }

  /**
   * Stores an uploaded reference sample (CSV with a header naming the model's features), after
   * reading it with the monitor's own reader: what is accepted here is what drift detection uses.
   * Throws INVALID_REFERENCE naming the problem.
   */
  async putReference(model: string, version: string, csv: string): Promise<{ model: string; version: string; rows: number; columns: string[]; uploadedAt: number }> {
    const target = this.resolve(model, version);
    let rows: number;
    let columns: string[];
    try {
      const table = await parseReferenceCsvAsync(csv, this.#deps.referenceLimits);
      checkReferenceFeatures(table, featureNamesOf(target));
      ({ columns } = table);
      rows = table.rows.length;
    } catch (error) {
      if (error instanceof ReferenceCsvError) throw new InferqError('INVALID_REFERENCE', error.message);
      throw error;
    }
    const stored = await this.#deps.store.putReference(target.name, target.version, csv, rows);
    return { model: target.name, version: target.version, rows, columns, uploadedAt: stored.uploadedAt };
  }

  /** The newest window reports of a version (newest first). */
  async drift(model: string, version: string, limit: number): Promise<{ model: string; version: string; reports: WindowReport[] }> {
    const target = this.resolve(model, version);
    return { model: target.name, version: target.version, reports: await this.#deps.store.readReports(target.name, target.version, limit) };
  }

  /** Points of the named series of a version (all names when `names` is empty). */
  async series(model: string, version: string, names: string[], options: { since?: number; limit?: number }): Promise<{ model: string; version: string; names: string[]; series: Record<string, SeriesPoint[]> }> {
    const target = this.resolve(model, version);
    const all = await this.#deps.store.seriesNames(target.name, target.version);
    const series: Record<string, SeriesPoint[]> = {};
    await Promise.all(names.map(async (name) => {
      series[name] = await this.#deps.store.readSeries(target.name, target.version, name, options);
    }));
    return { model: target.name, version: target.version, names: all, series };
  }

  /** Alert history, newest first. */
  alerts(filter: { model?: string; version?: string; limit?: number }): Promise<AlertEvent[]> {
    return this.#deps.store.listAlerts(filter);
  }

  /** Models, versions, queue depths and live workers. */
  async status(): Promise<MonitoringStatus> {
    const { repository, queues } = this.#deps;
    const [models, workers, monitor, monitorHealth] = await Promise.all([
      Promise.all(repository.modelNames().map(async (name) => ({
        name,
        queue: await queues.depth(name).catch(() => null),
        versions: await Promise.all(repository.versions(name).map(async (v) => {
          const m = repository.resolve(name, v);
          const [window, cache] = await Promise.all([this.#deps.store.openWindow(name, v).catch(() => null), this.#cacheStatus(m)]);
          return { version: v, ...(m.labels ? { labels: m.labels } : {}), features: featureNamesOf(m), window, cache };
        })),
      }))),
      this.workers(),
      this.#deps.store.getSettings(),
      this.monitorHealth(),
    ]);
    return { at: Date.now(), models, workers, monitor: monitor ?? null, monitorHealth };
  }

  /** A version's cache figures; null when it does not cache (or Redis did not answer). */
  async #cacheStatus(m: ModelVersion): Promise<VersionCacheStatus | null> {
    const { cache } = this.#deps;
    if (!m.cache || !cache) return null;
    try {
      const [stats, entries] = await Promise.all([cache.stats(m.name, m.version), cache.size(m.name, m.version)]);
      return { ...m.cache, entries, ...stats };
    } catch {
      return null;
    }
  }

  /** Whether a monitor is running, from its heartbeat keys (see MonitorHealth). */
  monitorHealth(): Promise<MonitorHealth> {
    return this.#deps.store.monitorHealth();
  }

  /** Heartbeats of the live workers (keys expire three heartbeats after a worker stops). */
  async workers(): Promise<WorkerHeartbeat[]> {
    const values = await readWorkerHeartbeats(this.#deps.redis, this.#deps.keys);
    return values.flatMap((text) => {
      try { return [JSON.parse(text) as WorkerHeartbeat]; } catch { return []; }
    });
  }
}

/** Feature names of a version's first input, as the monitor names them (see docs/monitoring.md). */
export function featureNamesOf(model: ModelVersion): string[] {
  return model.inputs.flatMap((input) => model.featureNames[input.name] ?? []);
}

/** `since` as a read bound (parseLogSince); INVALID_REQUEST when it is none. */
function parseSince(since: string): Pick<PredictionLogQuery, 'after' | 'from'> {
  const bound = parseLogSince(since);
  if (!bound) throw new InferqError('INVALID_REQUEST', `since="${since.slice(0, 64)}" is not epoch milliseconds, an ISO time or a logId`);
  return bound;
}

/** Classes of a probability output `[N, C]` (C), when the model config names no labels. */
function classCountOf(outputs: readonly SummarisableTensor[]): number | undefined {
  const scores = outputs.find((o) => o.shape.length === 2 && o.shape[1]! >= 2 && o.datatype.startsWith('FP'));
  return scores?.shape[1];
}

/** A label given as index or name → the class index; INVALID_FEEDBACK otherwise. */
function classIndex(value: unknown, labels: readonly string[] | undefined, classCount: number | undefined): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && (classCount === undefined || value < classCount)) return value;
  if (typeof value === 'string' && labels) {
    const index = labels.indexOf(value);
    if (index >= 0) return index;
  }
  const known = labels ? `a label of ${labels.map((l) => `"${l}"`).join(', ')} or an index` : 'a class index';
  const range = classCount !== undefined ? ` from 0 to ${classCount - 1}` : '';
  throw new InferqError('INVALID_FEEDBACK', `label ${previewValue(value, 64)} is not ${known}${range}`);
}
