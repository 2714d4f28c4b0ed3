import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { MonitorSettings } from '@inferq/contract';
import { ConfigError, readInteger, readKeyPrefix, readLogLevel, readModelRepository, readNumber, readRequiredRedisUrl, readRedisSentinel, readReferenceLimits, readString, type Env, type ReferenceLimits, type RedisSentinelSettings } from '@inferq/env';
import type { LogLevel } from '@inferq/logger';

/**
 * Monitor settings, read once from the environment. The windowing and alert thresholds (and their
 * variables) are {@link MonitorSettings}, which the monitor also publishes for the dashboard.
 */
export interface MonitorConfig extends MonitorSettings {
  /** `REDIS_URL` (required). */
  redisUrl: string;
  /** `REDIS_SENTINELS`, `REDIS_SENTINEL_NAME`, `REDIS_SENTINEL_PASSWORD`: find the primary through Redis Sentinel (docs/redis-ha.md). @defaultValue undefined (REDIS_URL's host) */
  redisSentinel: RedisSentinelSettings | undefined;
  /** `KEY_PREFIX` @defaultValue 'inferq' */
  keyPrefix: string;
  /** `MODEL_REPOSITORY`: where `<model>/<version>/reference.csv` files are read. @defaultValue './models' */
  modelRepository: string;
  /** `MONITOR_ID`: this process's consumer name in the `monitor` consumer group. @defaultValue `<hostname>-<pid>-<random>` */
  monitorId: string;
  /**
   * `MONITOR_HEARTBEAT_MS`: how often the monitor writes its heartbeat key (TTL three of these);
   * the API reports the monitor down once every heartbeat key has expired.
   * @defaultValue 2000
   */
  heartbeatMs: number;
  /** `ANOMALY_K`: half-width of the anomaly bands, in standard deviations (window and Holt–Winters rules). @defaultValue 4 */
  anomalyK: number;
  /** `ANOMALY_SEASON_LENGTH`: season of the Holt–Winters throughput band, in windows. @defaultValue 24 */
  anomalySeasonLength: number;
  /** `ALERT_WEBHOOK_URL`: POSTed JSON `{model, version, rule, value, threshold, window, at}` per alert. @defaultValue none */
  alertWebhookUrl?: string;
  /** `ALERT_COOLDOWN_MS`: an alert (model + version + rule) is sent at most once per this time. @defaultValue 900000 */
  alertCooldownMs: number;
  /** `SERIES_MAX_POINTS`: points kept per metric series. @defaultValue 2000 */
  seriesMaxPoints: number;
  /** `MONITOR_MAX_REPORTS`: window reports kept per model version. @defaultValue 200 */
  maxReports: number;
  /** `ALERT_HISTORY_MAX_LEN`: alerts kept in the history. @defaultValue 1000 */
  alertHistoryMaxLen: number;
  /**
   * `REFERENCE_MAX_COLUMNS` / `REFERENCE_MAX_ROWS`: a reference sample past these is not used
   * (drift is off for that version, logged); the API refuses such uploads with the same values.
   * @defaultValue 1000 columns, 100000 rows
   */
  referenceLimits: ReferenceLimits;
  /** `ROLLOUT_TICK_MS`: how often the leading monitor advances, judges and rolls back rollouts. @defaultValue 1000 */
  rolloutTickMs: number;
  /**
   * `ROLLOUT_LEADER_TTL_MS`: life of the rollout leader lock (renewed every tick): after its
   * holder dies, another monitor drives rollouts within this time. Must exceed ROLLOUT_TICK_MS.
   * @defaultValue 5000
   */
  rolloutLeaderTtlMs: number;
  /** `LOG_LEVEL` @defaultValue 'info' */
  logLevel: LogLevel;
}

/** Parses the monitor's environment; throws ConfigError naming the bad variable. */
export function loadMonitorConfig(env: Env = process.env): Readonly<MonitorConfig> {
  const redisUrl = readRequiredRedisUrl(env, 'the monitor');
  const config: MonitorConfig = {
    redisUrl,
    redisSentinel: readRedisSentinel(env),
    keyPrefix: readKeyPrefix(env),
    modelRepository: readModelRepository(env),
    monitorId: readString(env, 'MONITOR_ID', `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`),
    heartbeatMs: readInteger(env, 'MONITOR_HEARTBEAT_MS', 2_000, { min: 100, max: 60_000 }),
    windowSize: readInteger(env, 'WINDOW_SIZE', 50, { min: 0, max: 1_000_000 }),
    windowMs: readInteger(env, 'WINDOW_MS', 0, { min: 0, max: 7 * 86_400_000 }),
    feedbackWindowSize: readInteger(env, 'FEEDBACK_WINDOW_SIZE', 50, { min: 1, max: 100_000 }),
    driftShareThreshold: readNumber(env, 'DRIFT_SHARE_THRESHOLD', 0.5, { min: 0, max: 1 }),
    driftPersistence: readInteger(env, 'DRIFT_PERSISTENCE', 2, { min: 1, max: 100 }),
    accuracyThreshold: readNumber(env, 'ACCURACY_THRESHOLD', 0.8, { min: 0, max: 1 }),
    latencyP95ThresholdMs: readNumber(env, 'LATENCY_P95_THRESHOLD_MS', 0, { min: 0, max: 3_600_000 }),
    minMeanConfidence: readNumber(env, 'MIN_MEAN_CONFIDENCE', 0, { min: 0, max: 1 }),
    maxErrorRate: readNumber(env, 'MAX_ERROR_RATE', 0.05, { min: 0, max: 1 }),
    anomalyK: readNumber(env, 'ANOMALY_K', 4, { min: 0.5, max: 100 }),
    anomalySeasonLength: readInteger(env, 'ANOMALY_SEASON_LENGTH', 24, { min: 1, max: 10_000 }),
    alertCooldownMs: readInteger(env, 'ALERT_COOLDOWN_MS', 900_000, { min: 0, max: 30 * 86_400_000 }),
    seriesMaxPoints: readInteger(env, 'SERIES_MAX_POINTS', 2_000, { min: 10, max: 10_000_000 }),
    maxReports: readInteger(env, 'MONITOR_MAX_REPORTS', 200, { min: 1, max: 100_000 }),
    alertHistoryMaxLen: readInteger(env, 'ALERT_HISTORY_MAX_LEN', 1_000, { min: 10, max: 10_000_000 }),
    referenceLimits: readReferenceLimits(env),
    maxWindowsPerSecond: readNumber(env, 'MONITOR_MAX_WINDOWS_PER_SECOND', 5, { min: 0, max: 10_000 }),
    rolloutTickMs: readInteger(env, 'ROLLOUT_TICK_MS', 1_000, { min: 50, max: 60_000 }),
    rolloutLeaderTtlMs: readInteger(env, 'ROLLOUT_LEADER_TTL_MS', 5_000, { min: 200, max: 600_000 }),
    logLevel: readLogLevel(env),
  };
  if (config.rolloutLeaderTtlMs <= config.rolloutTickMs) throw new ConfigError(`ROLLOUT_LEADER_TTL_MS (${config.rolloutLeaderTtlMs}) must exceed ROLLOUT_TICK_MS (${config.rolloutTickMs}), or the leader lock lapses between ticks`);
  if (config.windowSize === 0 && config.windowMs === 0) throw new ConfigError('WINDOW_SIZE and WINDOW_MS are both 0: set at least one, or windows never close');
  const webhook = readString(env, 'ALERT_WEBHOOK_URL');
  if (webhook !== undefined) {
    let url: URL;
    try {
      url = new URL(webhook);
    } catch {
      throw new ConfigError('ALERT_WEBHOOK_URL is not a URL (expected http(s)://host/path)');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('ALERT_WEBHOOK_URL must start with http:// or https://');
    config.alertWebhookUrl = webhook;
  }
  return Object.freeze(config);
}
