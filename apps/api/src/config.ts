import { readBatchSettings, type BatchSettings } from '@inferq/batch-jobs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_IMAGE_LIMITS } from '@inferq/processing';
import { ConfigError, readApiHost, readApiPort, readBoolean, readInteger, readKeyPrefix, readList, readLogLevel, readDataDir, readModelRepository, readModelStore, readPredictionLogMaxLen, readPredictionLogSampleRate, readRequiredRedisUrl, readResultTtlSeconds, readRedisSentinel, readReferenceLimits, readString, type Env, type ModelStoreSettings, type ReferenceLimits, type RedisSentinelSettings } from '@inferq/env';
import type { LogLevel } from '@inferq/logger';
import { hashApiKey, MIN_CONFIGURED_KEY_LENGTH, parseConfiguredKeys, type ConfiguredApiKey } from './auth/api-key.js';
import type { OpenAccessOptions } from './open-access-guard.js';
import type { ServerTimeoutOptions } from './server-timeouts.js';
import type { WsLimitOptions } from './ws-limits.js';

/**
 * API settings, read once from the environment. The limits against slow clients
 * (server-timeouts.ts), WebSocket costs (ws-limits.ts) and the guard while access control is off
 * (open-access-guard.ts) are documented with their options.
 */
export interface ApiConfig extends ServerTimeoutOptions, WsLimitOptions, OpenAccessOptions {
  /** `PORT` @defaultValue 3000 */
  port: number;
  /** `HOST` @defaultValue '127.0.0.1' (set 0.0.0.0 in containers) */
  host: string;
  /** `REDIS_URL` (required; `npm start` sets it to its embedded Redis when unset). */
  redisUrl: string;
  /** `REDIS_SENTINELS`, `REDIS_SENTINEL_NAME`, `REDIS_SENTINEL_PASSWORD`: find the primary through Redis Sentinel (docs/redis-ha.md). @defaultValue undefined (REDIS_URL's host) */
  redisSentinel: RedisSentinelSettings | undefined;
  /**
   * `REDIS_WAIT_REPLICAS`: a prediction is acknowledged (202) only once this many replicas hold it
   * (Redis `WAIT`), so a failover cannot lose it; 0 = acknowledge once the primary has it.
   * @defaultValue 0
   */
  redisWaitReplicas: number;
  /** `REDIS_WAIT_TIMEOUT_MS`: longest wait for those replicas; then 503 REPLICATION_TIMEOUT. Below ENQUEUE_TIMEOUT_MS. @defaultValue 1000 */
  redisWaitTimeoutMs: number;
  /** `KEY_PREFIX` @defaultValue 'inferq' */
  keyPrefix: string;
  /** `MODEL_REPOSITORY` @defaultValue './models' */
  modelRepository: string;
  /** `BODY_LIMIT_BYTES`: largest request body / WebSocket message. @defaultValue 16 MiB */
  bodyLimitBytes: number;
  /** `MAX_TENSOR_ELEMENTS`: most tensor elements in one request. @defaultValue 4194304 */
  maxTensorElements: number;
  /** `MAX_IMAGE_PIXELS`: most pixels (width × height) of one image input of a pipeline; more is 413 IMAGE_TOO_LARGE. @defaultValue DEFAULT_IMAGE_LIMITS.maxPixels (16777216) */
  maxImagePixels: number;
  /** `MAX_IMAGE_BYTES`: most encoded bytes of one image input of a pipeline; more is 413 IMAGE_TOO_LARGE. @defaultValue DEFAULT_IMAGE_LIMITS.maxBytes (8388608) */
  maxImageBytes: number;
  /** `MAX_WAIT_MS`: cap of `?wait=` long polls. @defaultValue 30000 */
  maxWaitMs: number;
  /** `SYNC_TIMEOUT_MS`: how long `/v2/.../infer` waits before 504. @defaultValue 30000 */
  syncTimeoutMs: number;
  /** `BATCH_DATA_DIR`, `BATCH_FILE_ROOT`: where batch inputs and results live, where `file://` URIs may point (docs/batches.md). */
  batches: BatchSettings;
  /** `RESULT_TTL_SECONDS`: how long a prediction stays readable. @defaultValue 86400 */
  resultTtlSeconds: number;
  /** `ENQUEUE_TIMEOUT_MS`: longest wait for Redis to take a job before answering 503. @defaultValue 5000 */
  enqueueTimeoutMs: number;
  /**
   * `MAX_QUEUE_SIZE`: most predictions waiting in one model's queue (not yet taken by a worker)
   * before submits get 429 QUEUE_FULL; a model's `maxQueueSize` in config.json overrides it.
   * @defaultValue 10000
   */
  maxQueueSize: number;
  /**
   * `COALESCE_MAX_PREDICTIONS`: predictions for one model version that arrive together share one
   * queue job, up to this many (1 = one job per prediction). Each keeps its own id and result.
   * @defaultValue 64
   */
  coalesceMaxPredictions: number;
  /**
   * `CLAIM_CHECK_BYTES`: a request whose tensors hold more bytes than this stores them once, raw,
   * in a Redis key of their own that the job references (claim check), so BullMQ job hashes stay
   * small; 0 keeps every tensor inline (base64) in the job.
   * @defaultValue 65536
   */
  claimCheckBytes: number;
  /**
   * `DEFAULT_TIMEOUT_MS`: deadline of requests that name none (`parameters.timeout_ms`,
   * `Request-Timeout-Ms`): a prediction not taken by a worker within it ends `expired`. 0 = none.
   * @defaultValue 0
   */
  defaultTimeoutMs: number;
  /**
   * `TRAFFIC_REFRESH_MS`: how often the API re-reads every traffic policy, a safety net under the
   * change channel (changes normally apply within milliseconds). @defaultValue 5000
   */
  trafficRefreshMs: number;
  /** `LOG_LEVEL` @defaultValue 'info' */
  logLevel: LogLevel;
  /**
   * `API_KEYS` (comma-separated `name:scope+scope:sha256hex`) plus `ADMIN_API_KEY` (a plaintext
   * bootstrap key, hashed here and kept only as a hash, named `admin`). Any key, here or stored in
   * Redis, turns access control on. @defaultValue none (access control off until a key exists)
   */
  apiKeys: readonly ConfiguredApiKey[];
  /** `RATE_LIMIT_PER_SECOND`: predictions per second per API key (per client address with access control off); 0 = no limit. @defaultValue 0 */
  rateLimitPerSecond: number;
  /** `RATE_LIMIT_BURST`: predictions a key may send at once after a quiet spell. @defaultValue RATE_LIMIT_PER_SECOND (at least 1) */
  rateLimitBurst: number;
  /** `CORS_ORIGINS`: comma-separated origins allowed to call from a browser, or `*`. @defaultValue none (CORS off) */
  corsOrigins: readonly string[];
  /** `HSTS_MAX_AGE_SECONDS`: sends Strict-Transport-Security when > 0 (behind TLS only). @defaultValue 0 */
  hstsMaxAgeSeconds: number;
  /** `METRICS_REQUIRE_AUTH`: `/metrics` needs a key with `read` when access control is on. @defaultValue false */
  metricsRequireAuth: boolean;
  /**
   * `REFERENCE_MAX_COLUMNS` / `REFERENCE_MAX_ROWS`: most columns and data rows of a reference
   * upload (larger ones get 400 INVALID_REFERENCE). Give the monitor the same values.
   * @defaultValue 1000 columns, 100000 rows
   */
  referenceLimits: ReferenceLimits;
  /** `DATA_DIR`: uploads being checked live under `<DATA_DIR>/model-uploads`. @defaultValue './.data' */
  dataDir: string;
  /** `MODEL_STORE_URL` + S3 settings: where registered model files are stored (workers read the same). @defaultValue `<DATA_DIR>/model-store` */
  modelStore: ModelStoreSettings;
  /** `MAX_MODEL_BYTES`: largest model file a registration may bring; larger → 413 MODEL_TOO_LARGE. @defaultValue 1 GiB */
  maxModelBytes: number;
  /**
   * `MODEL_URI_FILE_ROOTS`: comma-separated directories a registration's `file://` URI may read
   * from (a server-side read, so it is limited). @defaultValue MODEL_REPOSITORY and DATA_DIR
   */
  modelUriFileRoots: readonly string[];
  /**
   * `PREDICTION_LOG_SAMPLE_RATE` / `PREDICTION_LOG_MAX_LEN`: as the workers' (shared readers).
   * The API logs the predictions the prediction cache answers (docs/cache.md).
   * @defaultValue 1, 100000
   */
  predictionLog: Readonly<{ sampleRate: number; maxLen: number }>;
}

/** Checks origins such as `https://app.example.com` (scheme, host, optional port) or `*`. */
function checkOrigins(name: string, origins: string[]): string[] {
  for (const origin of origins) {
    let parsed: URL | undefined;
    try { parsed = new URL(origin); } catch { /* reported below */ }
    if (origin !== '*' && parsed?.origin !== origin) {
      throw new ConfigError(`${name}: "${origin.slice(0, 100)}" is not an origin (scheme://host[:port], no path or trailing slash) nor *`);
    }
  }
  return origins;
}

/** Checks ALLOWED_HOSTS: host names without port (`inferq-api`), `.suffix` for subdomains too, or `*`; lower-cased. */
function checkHosts(name: string, hosts: string[]): string[] {
  return hosts.map((host) => {
    if (host !== '*' && !/^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/i.test(host)) {
      throw new ConfigError(`${name}: "${host.slice(0, 100)}" is not a host name (letters, digits, - and . without a port; a leading . takes subdomains too) nor *`);
    }
    return host.toLowerCase();
  });
}

/** Reads API_KEYS and ADMIN_API_KEY; errors name the variable, never a key. */
function readApiKeys(env: Env): ConfiguredApiKey[] {
  let keys: ConfiguredApiKey[];
  try {
    keys = parseConfiguredKeys(readString(env, 'API_KEYS', ''));
  } catch (error) {
    throw new ConfigError(`API_KEYS: ${(error as Error).message}`);
  }
  const admin = readString(env, 'ADMIN_API_KEY');
  if (admin !== undefined) {
    if (admin.length < MIN_CONFIGURED_KEY_LENGTH || /\s/.test(admin)) {
      throw new ConfigError(`ADMIN_API_KEY must be at least ${MIN_CONFIGURED_KEY_LENGTH} characters without spaces (e.g. \`openssl rand -hex 32\`)`);
    }
    if (keys.some((k) => k.name === 'admin')) throw new ConfigError('API_KEYS has an entry named "admin", the name ADMIN_API_KEY takes');
    keys.push(Object.freeze({ name: 'admin', scopes: ['admin'] as const, sha256: hashApiKey(admin).toString('hex') }));
  }
  return keys;
}

/** MODEL_URI_FILE_ROOTS as absolute paths; default the model repository and the data directory. */
function readModelUriFileRoots(env: Env): string[] {
  const roots = readList(env, 'MODEL_URI_FILE_ROOTS');
  if (roots.some((root) => !isAbsolute(root))) throw new ConfigError('MODEL_URI_FILE_ROOTS: every entry must be an absolute directory path');
  return roots.length > 0 ? roots.map((root) => resolve(root)) : [readModelRepository(env), readDataDir(env)];
}

/** Parses the API's environment; throws ConfigError naming the bad variable. */
export function loadApiConfig(env: Env = process.env): Readonly<ApiConfig> {
  const redisUrl = readRequiredRedisUrl(env, 'the API');
  const rateLimitPerSecond = readInteger(env, 'RATE_LIMIT_PER_SECOND', 0, { min: 0, max: 1_000_000 });
  const requestTimeoutMs = readInteger(env, 'REQUEST_TIMEOUT_MS', 30_000, { min: 100, max: 3_600_000 });
  const headersTimeoutMs = readInteger(env, 'HEADERS_TIMEOUT_MS', Math.min(10_000, requestTimeoutMs), { min: 100, max: 3_600_000 });
  // Node refuses a headers timeout longer than the request timeout; say so by name instead.
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  const enqueueTimeoutMs = readInteger(env, 'ENQUEUE_TIMEOUT_MS', 5_000, { min: 100, max: 60_000 });
  // The replica wait runs inside the enqueue's time budget (see redisCall), so it must end first.
  const redisWaitTimeoutMs = readInteger(env, 'REDIS_WAIT_TIMEOUT_MS', Math.min(1_000, enqueueTimeoutMs - 50), { min: 1, max: enqueueTimeoutMs - 50 });
  return Object.freeze({
    port: readApiPort(env),
    host: readApiHost(env),
    redisUrl,
    redisSentinel: readRedisSentinel(env),
    redisWaitReplicas: readInteger(env, 'REDIS_WAIT_REPLICAS', 0, { min: 0, max: 16 }),
    redisWaitTimeoutMs,
    keyPrefix: readKeyPrefix(env),
    modelRepository: readModelRepository(env),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 16 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 }),
    maxTensorElements: readInteger(env, 'MAX_TENSOR_ELEMENTS', 4_194_304, { min: 1, max: 268_435_456 }),
    maxImagePixels: readInteger(env, 'MAX_IMAGE_PIXELS', DEFAULT_IMAGE_LIMITS.maxPixels, { min: 1, max: 268_435_456 }),
    maxImageBytes: readInteger(env, 'MAX_IMAGE_BYTES', DEFAULT_IMAGE_LIMITS.maxBytes, { min: 1, max: 1_073_741_824 }),
    maxWaitMs: readInteger(env, 'MAX_WAIT_MS', 30_000, { min: 0, max: 600_000 }),
    syncTimeoutMs: readInteger(env, 'SYNC_TIMEOUT_MS', 30_000, { min: 1, max: 3_600_000 }),
    resultTtlSeconds: readResultTtlSeconds(env),
    batches: readBatchSettings(env),
    enqueueTimeoutMs,
    maxQueueSize: readInteger(env, 'MAX_QUEUE_SIZE', 10_000, { min: 1, max: 10_000_000 }),
    coalesceMaxPredictions: readInteger(env, 'COALESCE_MAX_PREDICTIONS', 64, { min: 1, max: 1_024 }),
    claimCheckBytes: readInteger(env, 'CLAIM_CHECK_BYTES', 65_536, { min: 0, max: 1024 * 1024 * 1024 }),
    defaultTimeoutMs: readInteger(env, 'DEFAULT_TIMEOUT_MS', 0, { min: 0, max: 86_400_000 }),
    trafficRefreshMs: readInteger(env, 'TRAFFIC_REFRESH_MS', 5_000, { min: 100, max: 600_000 }),
    logLevel: readLogLevel(env),
    apiKeys: Object.freeze(readApiKeys(env)),
    rateLimitPerSecond,
    rateLimitBurst: readInteger(env, 'RATE_LIMIT_BURST', Math.max(1, rateLimitPerSecond), { min: 1, max: 1_000_000 }),
    corsOrigins: Object.freeze(checkOrigins('CORS_ORIGINS', readList(env, 'CORS_ORIGINS'))),
    hstsMaxAgeSeconds: readInteger(env, 'HSTS_MAX_AGE_SECONDS', 0, { min: 0, max: 2 * 365 * 86_400 }),
    metricsRequireAuth: readBoolean(env, 'METRICS_REQUIRE_AUTH', false),
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: readInteger(env, 'KEEP_ALIVE_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    maxConnectionsPerClient: readInteger(env, 'MAX_CONNECTIONS_PER_CLIENT', 1_024, { min: 0, max: 1_000_000 }),
    wsMaxBufferedBytes: readInteger(env, 'WS_MAX_BUFFERED_BYTES', 8 * 1024 * 1024, { min: 64 * 1024, max: 1024 * 1024 * 1024 }),
    allowedHosts: Object.freeze(checkHosts('ALLOWED_HOSTS', readList(env, 'ALLOWED_HOSTS'))),
    allowedOrigins: Object.freeze(checkOrigins('ALLOWED_ORIGINS', readList(env, 'ALLOWED_ORIGINS'))),
    referenceLimits: readReferenceLimits(env),
    dataDir: readDataDir(env),
    modelStore: readModelStore(env),
    maxModelBytes: readInteger(env, 'MAX_MODEL_BYTES', 1024 ** 3, { min: 1024, max: 64 * 1024 ** 3 }),
    modelUriFileRoots: Object.freeze(readModelUriFileRoots(env)),
    predictionLog: Object.freeze({ sampleRate: readPredictionLogSampleRate(env), maxLen: readPredictionLogMaxLen(env) }),
  });
}
