import { resolve } from 'node:path';
import { DEFAULT_KEY_PREFIX } from '@inferq/contract';
import { ConfigError, readChoice, readInteger, readRedisUrl, readString, type Env } from '@inferq/env';
import { LOG_LEVELS, type LogLevel } from '@inferq/logger';

/** API settings, read once from the environment. */
export interface ApiConfig {
  /** `PORT` @defaultValue 3000 */
  port: number;
  /** `HOST` @defaultValue '127.0.0.1' (set 0.0.0.0 in containers) */
  host: string;
  /** `REDIS_URL` (required; `npm start` sets it to its embedded Redis when unset). */
  redisUrl: string;
  /** `KEY_PREFIX` @defaultValue 'inferq' */
  keyPrefix: string;
  /** `MODEL_REPOSITORY` @defaultValue './models' */
  modelRepository: string;
  /** `BODY_LIMIT_BYTES`: largest request body / WebSocket message. @defaultValue 16 MiB */
  bodyLimitBytes: number;
  /** `MAX_TENSOR_ELEMENTS`: most tensor elements in one request. @defaultValue 4194304 */
  maxTensorElements: number;
  /** `MAX_WAIT_MS`: cap of `?wait=` long polls. @defaultValue 30000 */
  maxWaitMs: number;
  /** `SYNC_TIMEOUT_MS`: how long `/v2/.../infer` waits before 504. @defaultValue 30000 */
  syncTimeoutMs: number;
  /** `RESULT_TTL_SECONDS`: how long a prediction stays readable. @defaultValue 86400 */
  resultTtlSeconds: number;
  /** `ENQUEUE_TIMEOUT_MS`: longest wait for Redis to take a job before answering 503. @defaultValue 5000 */
  enqueueTimeoutMs: number;
  /** `LOG_LEVEL` @defaultValue 'info' */
  logLevel: LogLevel;
}

/** Parses the API's environment; throws ConfigError naming the bad variable. */
export function loadApiConfig(env: Env = process.env): Readonly<ApiConfig> {
  const redisUrl = readRedisUrl(env, 'REDIS_URL');
  if (!redisUrl) throw new ConfigError('REDIS_URL is required for the API (e.g. redis://127.0.0.1:6379); `npm start` starts an embedded Redis for you');
  return Object.freeze({
    port: readInteger(env, 'PORT', 3000, { min: 0, max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    redisUrl,
    keyPrefix: readString(env, 'KEY_PREFIX', DEFAULT_KEY_PREFIX),
    modelRepository: resolve(readString(env, 'MODEL_REPOSITORY', './models')),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 16 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 }),
    maxTensorElements: readInteger(env, 'MAX_TENSOR_ELEMENTS', 4_194_304, { min: 1, max: 268_435_456 }),
    maxWaitMs: readInteger(env, 'MAX_WAIT_MS', 30_000, { min: 0, max: 600_000 }),
    syncTimeoutMs: readInteger(env, 'SYNC_TIMEOUT_MS', 30_000, { min: 1, max: 3_600_000 }),
    resultTtlSeconds: readInteger(env, 'RESULT_TTL_SECONDS', 86_400, { min: 1, max: 30 * 86_400 }),
    enqueueTimeoutMs: readInteger(env, 'ENQUEUE_TIMEOUT_MS', 5_000, { min: 100, max: 60_000 }),
    logLevel: readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
  });
}
