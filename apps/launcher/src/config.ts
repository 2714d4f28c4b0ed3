import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { readApiHost, readApiPort, readBoolean, readChoice, readInteger, readLogLevel, readRedisUrl, readString, type Env } from '@inferq/env';
import type { LogLevel } from '@inferq/logger';

/** Settings of `npm start`; everything else is passed through to the API and workers. */
export interface LauncherConfig {
  /** `REDIS_URL`: use this Redis; when unset an embedded `redis-server` is started. */
  redisUrl?: string;
  /** `WORKERS`: worker processes to start. @defaultValue 1 */
  workers: number;
  /** `PORT` of the API. @defaultValue 3000 */
  port: number;
  /** `HOST` of the API. @defaultValue '127.0.0.1' */
  host: string;
  /** `DATA_DIR`: where the embedded Redis keeps its AOF. @defaultValue './.data' */
  dataDir: string;
  /** `REDIS_APPENDFSYNC` of the embedded Redis: everysec (≤ ~1 s lost on a crash) or always. @defaultValue 'everysec' */
  appendfsync: 'always' | 'everysec';
  /** `ORT_INTRA_OP_THREADS` given to each worker. @defaultValue cores ÷ workers (at least 1) */
  intraOpThreads: number;
  /** `MONITOR`: also start the monitor process (drift, metric series, alerts). @defaultValue true */
  monitor: boolean;
  /** `LOG_LEVEL` @defaultValue 'info' */
  logLevel: LogLevel;
}

/** Parses the launcher's environment; throws ConfigError naming the bad variable. */
export function loadLauncherConfig(env: Env = process.env): Readonly<LauncherConfig> {
  const workers = readInteger(env, 'WORKERS', 1, { min: 0, max: 64 });
  const config: LauncherConfig = {
    workers,
    port: readApiPort(env),
    host: readApiHost(env),
    dataDir: resolve(readString(env, 'DATA_DIR', './.data')),
    appendfsync: readChoice(env, 'REDIS_APPENDFSYNC', 'everysec', ['always', 'everysec'] as const),
    intraOpThreads: readInteger(env, 'ORT_INTRA_OP_THREADS', Math.max(1, Math.floor(availableParallelism() / Math.max(1, workers))), { min: 0, max: 1024 }),
    monitor: readBoolean(env, 'MONITOR', true),
    logLevel: readLogLevel(env),
  };
  const redisUrl = readRedisUrl(env, 'REDIS_URL');
  if (redisUrl) config.redisUrl = redisUrl;
  return Object.freeze(config);
}
