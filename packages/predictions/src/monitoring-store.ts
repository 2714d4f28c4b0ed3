import type { Redis } from 'ioredis';
import type { AlertEvent, FeedbackEntry, MonitorHealth, MonitorHeartbeat, MonitorSettings, RedisKeys, SeriesPoint, WindowReport } from '@inferq/contract';
import { redisScript, type RedisScript, type ScriptArg } from '@inferq/redis';
import { parseEntry } from './prediction-log.js';
import { throwOnPipelineError } from './prediction-store.js';

/** A registry member whose heartbeat has been gone this long is removed (a killed monitor's). */
const PRUNE_MONITORS_AFTER_MS = 10 * 60_000;
/**
 * With an empty registry, a heartbeat written this recently may come from a monitor that predates
 * the registry (it writes `last-seen` but no registry entry): only then is the keyspace scanned.
 */
const LEGACY_MONITOR_WINDOW_MS = 60_000;

/** Bounds of what the monitoring store keeps. */
export interface MonitoringStoreLimits {
  /** Points kept per metric series (approximate). @defaultValue 2000 */
  seriesMaxPoints: number;
  /** Window reports kept per model version. @defaultValue 200 */
  maxReports: number;
  /** Alerts kept in the history (approximate). @defaultValue 1000 */
  alertHistoryMaxLen: number;
  /** Feedback entries kept in the feedback log (approximate). @defaultValue 100000 */
  feedbackMaxLen: number;
}

export const DEFAULT_MONITORING_LIMITS: Readonly<MonitoringStoreLimits> = Object.freeze({
  seriesMaxPoints: 2_000, maxReports: 200, alertHistoryMaxLen: 1_000, feedbackMaxLen: 100_000,
});

/** An uploaded reference sample. */
export interface StoredReference {
  csv: string;
  rows: number;
  uploadedAt: number;
}

/** A named point to append to one series. */
export interface SeriesAppend {
  name: string;
  point: SeriesPoint;
}

/**
 * What the monitor writes and the API reads (keys in redis-keys.ts): metric series (one stream
 * each), window reports (a capped list per version), the alert history (a stream), uploaded
 * reference samples (a hash per version) and the feedback log (a stream). Every structure is
 * bounded.
 */
export class MonitoringStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #limits: MonitoringStoreLimits;
  readonly #storeWindow: RedisScript<number[]>;

  constructor(redis: Redis, keys: RedisKeys, limits: Partial<MonitoringStoreLimits> = {}) {
    this.#redis = redis;
    this.#keys = keys;
    this.#limits = { ...DEFAULT_MONITORING_LIMITS, ...limits };
    this.#storeWindow = redisScript(redis, 'window-store.lua');
  }

  // ---- metric series ----------------------------------------------------------------------------

  /** Appends points to series of one version, in one round trip. */
  async appendSeries(model: string, version: string, points: readonly SeriesAppend[]): Promise<void> {
    if (points.length === 0) return;
    const pipeline = this.#redis.pipeline();
    const max = String(this.#limits.seriesMaxPoints);
    for (const { name, point } of points) {
      pipeline.xadd(this.#keys.monitorSeries(model, version, name), 'MAXLEN', '~', max, '*', 't', String(point.t), 'v', String(point.v), 'w', String(point.window));
    }
    pipeline.sadd(this.#keys.monitorSeriesIndex(model, version), ...points.map((p) => p.name));
    await pipeline.exec().then(throwOnPipelineError);
  }

  /** The newest `limit` points of a series with `t > since`, oldest first. */
  async readSeries(model: string, version: string, name: string, options: { limit?: number; since?: number } = {}): Promise<SeriesPoint[]> {
    const raw = await this.#redis.xrevrange(this.#keys.monitorSeries(model, version, name), '+', '-', 'COUNT', options.limit ?? 500);
    return seriesPoints(raw, options.since);
  }

  /** Names of the series of a version, sorted. */
  async seriesNames(model: string, version: string): Promise<string[]> {
    return (await this.#redis.smembers(this.#keys.monitorSeriesIndex(model, version))).sort();
  }

  // ---- window reports ---------------------------------------------------------------------------

  /** The newest `limit` window reports of a version, newest first. */
  async readReports(model: string, version: string, limit = 20): Promise<WindowReport[]> {
    return parseReports(await this.#redis.lrange(this.#keys.monitorReports(model, version), 0, Math.max(0, limit - 1)));
  }

  /**
   * What building a window's report reads, in one round trip: when the version's reference was
   * uploaded (see {@link referenceUploadedAt}), its newest `reports` reports (none when 0) and the
   * newest `history.limit` points of each series in `history.names` (oldest first). A closed
   * window used to take four round trips before its report was stored; on this project's machines
   * each costs the monitor far more CPU than the commands in it (docs/benchmarks.md, "Where the
   * CPU goes").
   */
  async readWindowContext(model: string, version: string, reports: number, history: { names: readonly string[]; limit: number }): Promise<{
    referenceUploadedAt: number | undefined; previous: WindowReport[]; history: Record<string, SeriesPoint[]>;
  }> {
    const pipeline = this.#redis.pipeline().hget(this.#keys.referenceUpload(model, version), 'uploadedAt');
    if (reports > 0) pipeline.lrange(this.#keys.monitorReports(model, version), 0, reports - 1);
    if (history.limit > 0) for (const name of history.names) pipeline.xrevrange(this.#keys.monitorSeries(model, version, name), '+', '-', 'COUNT', history.limit);
    const results = await pipeline.exec();
    throwOnPipelineError(results);
    const replies = results!.map(([, reply]) => reply);
    const uploadedAt = replies.shift() as string | null;
    const previous = reports > 0 ? parseReports(replies.shift() as string[]) : [];
    const series: Record<string, SeriesPoint[]> = {};
    for (const name of history.names) series[name] = history.limit > 0 ? seriesPoints(replies.shift() as Array<[string, string[]]>) : [];
    return { referenceUploadedAt: uploadedAt === null ? undefined : Number(uploadedAt), previous, history: series };
  }

  /**
   * Stores what a closed window produced in one call (`commands/window-store.lua`): its series
   * points, then each alert whose cooldown (`cooldownMs`, per model + version + rule, shared by
   * every monitor) allows it, then its report. Returns, per alert, whether it was raised.
   */
  async storeWindow(report: WindowReport, points: readonly SeriesAppend[], alerts: readonly AlertEvent[], cooldownMs: number): Promise<boolean[]> {
    const { model, version } = report;
    const keys = [this.#keys.monitorSeriesIndex(model, version), this.#keys.alerts, this.#keys.monitorReports(model, version)];
    const args: ScriptArg[] = [
      this.#limits.seriesMaxPoints, this.#limits.maxReports, this.#limits.alertHistoryMaxLen, Math.max(1, cooldownMs), Date.now(),
      points.length, alerts.length, JSON.stringify(report),
    ];
    for (const { name, point } of points) {
      keys.push(this.#keys.monitorSeries(model, version, name));
      args.push(name, String(point.t), String(point.v), String(point.window));
    }
    for (const alert of alerts) {
      keys.push(this.#keys.alertCooldown(alert.model, alert.version, alert.rule));
      args.push(JSON.stringify(alert));
    }
    const raised = await this.#storeWindow(keys, args);
    return raised.map((flag) => flag === 1);
  }

  // ---- alerts -----------------------------------------------------------------------------------

  /** Appends an alert to the history. */
  async addAlert(alert: AlertEvent): Promise<void> {
    await this.#redis.xadd(this.#keys.alerts, 'MAXLEN', '~', String(this.#limits.alertHistoryMaxLen), '*', 'd', JSON.stringify(alert));
  }

  /** Alerts newest first, optionally of one model (and version), at most `limit`. */
  async listAlerts(filter: { model?: string; version?: string; limit?: number } = {}): Promise<AlertEvent[]> {
    const limit = filter.limit ?? 100;
    const alerts: AlertEvent[] = [];
    let end = '+';
    // Scans back in pages until `limit` alerts match or the (bounded) history ends.
    for (;;) {
      const page = await this.#redis.xrevrange(this.#keys.alerts, end, '-', 'COUNT', 200);
      for (const [, fields] of page) {
        const alert = parseEntry<AlertEvent>(fields);
        if (!alert) continue;
        if (filter.model !== undefined && alert.model !== filter.model) continue;
        if (filter.version !== undefined && alert.version !== filter.version) continue;
        alerts.push(alert);
        if (alerts.length >= limit) return alerts;
      }
      if (page.length < 200) return alerts;
      end = `(${page[page.length - 1]![0]}`;
    }
  }

  /**
   * Claims the right to send alert `rule` of a version for `cooldownMs`: true for the first caller,
   * false while the cooldown runs (dedupe across monitor processes).
   */
  async claimAlert(model: string, version: string, rule: string, cooldownMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#keys.alertCooldown(model, version, rule), String(Date.now()), 'PX', Math.max(1, cooldownMs), 'NX')) === 'OK';
  }

  // ---- reference samples ------------------------------------------------------------------------

  /** Stores an uploaded reference sample for a version (replacing any earlier one). */
  async putReference(model: string, version: string, csv: string, rows: number): Promise<StoredReference> {
    const stored = { csv, rows, uploadedAt: Date.now() };
    await this.#redis.hset(this.#keys.referenceUpload(model, version), { csv, rows: String(rows), uploadedAt: String(stored.uploadedAt) });
    return stored;
  }

  /** The uploaded reference of a version; undefined when none was uploaded. */
  async getReference(model: string, version: string): Promise<StoredReference | undefined> {
    const hash = await this.#redis.hgetall(this.#keys.referenceUpload(model, version));
    if (hash.csv === undefined) return undefined;
    return { csv: hash.csv, rows: Number(hash.rows ?? 0), uploadedAt: Number(hash.uploadedAt ?? 0) };
  }

  /** When the reference of a version was uploaded (a cheap change check); undefined when never. */
  async referenceUploadedAt(model: string, version: string): Promise<number | undefined> {
    const value = await this.#redis.hget(this.#keys.referenceUpload(model, version), 'uploadedAt');
    return value === null ? undefined : Number(value);
  }

  // ---- monitor settings -------------------------------------------------------------------------

  /** Publishes the monitor's thresholds (the last monitor started wins). */
  async putSettings(settings: MonitorSettings): Promise<void> {
    await this.#redis.set(this.#keys.monitorSettings, JSON.stringify(settings));
  }

  /**
   * Adds feedback outcomes (true = the prediction was right) to a version's rolling accuracy
   * window of the last `size` labels, atomically, and returns the window after it.
   * @returns labels and right ones in the window, and `seq`: labels received so far.
   */
  async addAccuracyOutcomes(model: string, version: string, outcomes: readonly boolean[], size: number): Promise<{ labels: number; correct: number; seq: number }> {
    const key = this.#keys.monitorAccuracy(model, version);
    const multi = this.#redis.multi();
    if (outcomes.length > 0) multi.rpush(key, ...outcomes.slice(-size).map((right) => (right ? '1' : '0'))).ltrim(key, -size, -1);
    const results = await multi.lrange(key, 0, -1).incrby(this.#keys.monitorAccuracyLabels(model, version), outcomes.length).exec();
    throwOnPipelineError(results);
    const [window, seq] = results!.slice(-2).map(([, value]) => value) as [string[], number];
    return { labels: window.length, correct: window.filter((bit) => bit === '1').length, seq: Number(seq) };
  }

  /**
   * The window a version is filling (read from the monitor's window meta hash): rows so far,
   * when its first row came (null when empty), and how many windows closed before it.
   */
  async openWindow(model: string, version: string): Promise<{ rows: number; startedAt: number | null; closed: number }> {
    const [rows, startedAt, seq] = await this.#redis.hmget(this.#keys.monitorWindowMeta('predictions', model, version), 'rows', 'startedAt', 'seq');
    return { rows: Number(rows ?? 0), startedAt: startedAt === null ? null : Number(startedAt), closed: Number(seq ?? 0) };
  }

  /** Writes a monitor's heartbeat (TTL = 3 intervals) and the last-seen time, in one round trip. */
  async beat(heartbeat: MonitorHeartbeat): Promise<void> {
    await this.#redis.multi()
      .set(this.#keys.monitorHeartbeat(heartbeat.id), JSON.stringify(heartbeat), 'PX', 3 * heartbeat.intervalMs)
      .set(this.#keys.monitorLastSeen, String(heartbeat.at))
      .zadd(this.#keys.monitors, heartbeat.at, heartbeat.id)
      .exec()
      .then(throwOnPipelineError);
  }

  /** Removes a monitor's heartbeat (a clean stop: the monitor is down from now on). */
  async endHeartbeat(monitorId: string, at: number): Promise<void> {
    await this.#redis.multi()
      .del(this.#keys.monitorHeartbeat(monitorId))
      .zrem(this.#keys.monitors, monitorId)
      .set(this.#keys.monitorLastSeen, String(at))
      .exec()
      .then(throwOnPipelineError);
  }

  /**
   * Live monitors and, when none is live, since when (see MonitorHealth). Monitors list
   * themselves in the `{prefix}:monitors` registry with each heartbeat, so this reads one sorted
   * set and the heartbeats it names, never the keyspace (a record per retained prediction: a scan
   * of it ran ~1 000 SCAN calls per /metrics scrape on a busy service). Members whose heartbeat
   * expired long ago are pruned on the way. Only while the registry is empty and a heartbeat was
   * written in the last {@link LEGACY_MONITOR_WINDOW_MS} (a monitor older than the registry,
   * during an upgrade) does it fall back to a bounded scan.
   */
  async monitorHealth(): Promise<MonitorHealth> {
    const [ids, lastSeen] = await Promise.all([this.#redis.zrange(this.#keys.monitors, 0, -1), this.#redis.get(this.#keys.monitorLastSeen)]);
    const lastSeenAt = lastSeen === null ? null : Number(lastSeen);
    const legacyMayLive = ids.length === 0 && lastSeenAt !== null && Date.now() - lastSeenAt < LEGACY_MONITOR_WINDOW_MS;
    const heartbeatKeys = legacyMayLive ? await this.#scanMonitorHeartbeats() : ids.map((id) => this.#keys.monitorHeartbeat(id));
    const values = heartbeatKeys.length > 0 ? await this.#redis.mget(...heartbeatKeys) : [];
    if (values.some((text) => text === null)) await this.#redis.zremrangebyscore(this.#keys.monitors, '-inf', Date.now() - PRUNE_MONITORS_AFTER_MS);
    const monitors = values.flatMap((text) => {
      if (text === null) return [];
      try { return [JSON.parse(text) as MonitorHeartbeat]; } catch { return []; }
    });
    if (monitors.length > 0) return { state: 'up', monitors, lastSeenAt, downSince: null };
    return { state: lastSeenAt === null ? 'never' : 'down', monitors, lastSeenAt, downSince: lastSeenAt };
  }

  /** The registry-less way (bounded): monitor heartbeat keys found by SCAN. */
  async #scanMonitorHeartbeats(): Promise<string[]> {
    const found = new Set<string>();
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, batch] = await this.#redis.scan(cursor, 'MATCH', this.#keys.monitorHeartbeatPattern, 'COUNT', 1_000);
      for (const key of batch) found.add(key);
      cursor = next;
    } while (cursor !== '0' && ++rounds < 1_000 && found.size < 1_000);
    return [...found];
  }

  /** The published monitor thresholds; undefined when no monitor ever ran. */
  async getSettings(): Promise<MonitorSettings | undefined> {
    const text = await this.#redis.get(this.#keys.monitorSettings);
    if (text === null) return undefined;
    try { return JSON.parse(text) as MonitorSettings; } catch { return undefined; }
  }

  // ---- feedback ---------------------------------------------------------------------------------

  /**
   * Stores feedback for a prediction once: false when feedback for that id was already recorded.
   * @param ttlSeconds - how long the "already given" marker lives (the prediction's retention).
   */
  async addFeedback(entry: FeedbackEntry, ttlSeconds: number): Promise<boolean> {
    const marker = this.#keys.feedbackGiven(entry.id);
    if ((await this.#redis.set(marker, '1', 'EX', ttlSeconds, 'NX')) !== 'OK') return false;
    try {
      await this.#redis.xadd(this.#keys.feedbackLog, 'MAXLEN', '~', String(this.#limits.feedbackMaxLen), '*', 'd', JSON.stringify(entry));
    } catch (error) {
      await this.#redis.del(marker).catch(() => {});
      throw error;
    }
    return true;
  }
}

/** Report JSON texts → reports (unreadable ones skipped). */
function parseReports(raw: readonly string[]): WindowReport[] {
  return raw.flatMap((text) => {
    try { return [JSON.parse(text) as WindowReport]; } catch { return []; }
  });
}

/** XREVRANGE entries of a series → its points with `t > since`, oldest first. */
function seriesPoints(raw: ReadonlyArray<[string, string[]]>, since?: number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const [, fields] of raw) {
    const f = fieldMap(fields);
    const point = { t: Number(f.t), v: Number(f.v), window: Number(f.w) };
    if (since !== undefined && point.t <= since) break;
    points.push(point);
  }
  return points.reverse();
}

/** `[k1, v1, k2, v2]` → `{k1: v1, k2: v2}`. */
function fieldMap(fields: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  return map;
}
