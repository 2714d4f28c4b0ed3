import { hostname, availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigError, readInteger, readKeyPrefix, readList, readLogLevel, readDataDir, readModelRepository, readModelStore, readPredictionLogMaxLen, readPredictionLogSampleRate, readRequiredRedisUrl, readResultTtlSeconds, readRedisSentinel, readString, type Env, type ModelStoreSettings, type RedisSentinelSettings } from '@inferq/env';
import { join, resolve } from 'node:path';
import type { LogLevel } from '@inferq/logger';
import { readBatchSettings, type BatchSettings } from '@inferq/batch-jobs';
import type { DeviceSetting } from './device.js';
import { DEFAULT_RUNNING_MARK_DELAY_MS } from './running-mark.js';

/** Worker settings, read once from the environment. */
export interface WorkerConfig {
  /** `REDIS_URL` (required for a worker). */
  redisUrl: string;
  /** `REDIS_SENTINELS`, `REDIS_SENTINEL_NAME`, `REDIS_SENTINEL_PASSWORD`: find the primary through Redis Sentinel (docs/redis-ha.md). @defaultValue undefined (REDIS_URL's host) */
  redisSentinel: RedisSentinelSettings | undefined;
  /** `KEY_PREFIX` @defaultValue 'inferq' */
  keyPrefix: string;
  /** `MODEL_REPOSITORY` @defaultValue './models' */
  modelRepository: string;
  /** `MODELS`: comma-separated model names to serve. @defaultValue all models in the repository */
  models: string[];
  /** `DEVICE`: auto | cpu | cuda | cuda:N. @defaultValue 'auto' */
  device: DeviceSetting;
  /** `GPU_COUNT`: GPUs to assume instead of asking nvidia-smi. */
  gpuCount?: number;
  /** `ORT_INTRA_OP_THREADS`: threads per operator; 0 = onnxruntime default (all cores). @defaultValue 0 */
  intraOpThreads: number;
  /**
   * `ORT_ALLOW_SPINNING`: 1 lets onnxruntime's intra-op threads spin between parallel sections
   * and batches (lower latency on a dedicated host), 0 makes them sleep, leaving the cores to the
   * API, Redis and the worker's event loop (see docs/benchmarks.md). @defaultValue 0
   */
  allowSpinning: boolean;
  /** `BATCH_CONCURRENCY_FACTOR`: BullMQ concurrency = max batch size × this, so the next batch fills while one runs. @defaultValue 2 */
  concurrencyFactor: number;
  /** `RESULT_TTL_SECONDS`: how long results stay readable. @defaultValue 86400 */
  resultTtlSeconds: number;
  /**
   * `RUNNING_MARK_DELAY_MS`: a batch still running after this long marks its predictions
   * `running`; one that ends sooner writes only their outcomes (they go from `queued` straight to
   * final). 0 marks every batch when it starts (two Redis writes per prediction instead of one).
   * @defaultValue 50
   */
  runningMarkDelayMs: number;
  /**
   * `LOCK_DURATION_MS`: BullMQ job lock, renewed every half of it while the job runs; a worker
   * silent this long (crashed, frozen, cut off from Redis) is presumed dead and its jobs re-run.
   * Shorter recovers faster; it must stay well above the longest event-loop stall of a worker,
   * which includes a whole batch's `session.run` (onnxruntime-node runs it synchronously on the
   * main thread), or live jobs get re-run too (duplicate compute).
   * @defaultValue 30000
   */
  lockDurationMs: number;
  /**
   * `STALLED_INTERVAL_MS`: how often each worker looks for jobs whose lock expired and re-queues
   * them. A crashed worker's jobs run again within about LOCK_DURATION_MS + 2 × this.
   * @defaultValue LOCK_DURATION_MS / 2
   */
  stalledIntervalMs: number;
  /**
   * `MAX_STALLED_COUNT`: how many times a job may be re-queued after its worker died; the next
   * stall fails it (WORKER_FAILED), so an input that crashes the worker process cannot take
   * down workers for ever. Jobs of a batch share its fate, so keep it above 1.
   * @defaultValue 2
   */
  maxStalledCount: number;
  /**
   * `PREDICTION_LOG_SAMPLE_RATE`: share of predictions appended to the prediction log (0 turns
   * the log off, 1 logs every prediction). @defaultValue 1
   */
  predictionLogSampleRate: number;
  /** `PREDICTION_LOG_MAX_LEN`: entries the prediction log stream keeps (trimmed approximately). @defaultValue 100000 */
  predictionLogMaxLen: number;
  /**
   * `VERSION_STATS_TTL_SECONDS`: how long a per-second bucket of a version's live figures is kept
   * (rollout gates and /metrics read at most the last hour). @defaultValue 7200
   */
  versionStatsTtlSeconds: number;
  /** `SHUTDOWN_TIMEOUT_MS`: longest graceful shutdown before forcing. @defaultValue 30000 */
  shutdownTimeoutMs: number;
  /** `BATCH_DATA_DIR`, `BATCH_FILE_ROOT`: where batch inputs and results live, where `file://` URIs may point (docs/batches.md). */
  batches: BatchSettings;
  /** `BATCH_JOB_CONCURRENCY`: batches one worker runs at once per model (their rows share its micro-batcher). @defaultValue 1 */
  batchJobConcurrency: number;
  /** `WORKER_ID` @defaultValue `<hostname>-<pid>-<random>` */
  workerId: string;
  /** `LOG_LEVEL` @defaultValue 'info' */
  logLevel: LogLevel;
  /** `MODEL_STORE_URL` + S3 settings: where model files registered at run time are fetched from (the API's store). */
  modelStore: ModelStoreSettings;
  /** `MODEL_CACHE_DIR`: local copies of registered model files, by content hash. @defaultValue `<DATA_DIR>/model-cache` */
  modelCacheDir: string;
}

const DEVICE_PATTERN = /^(auto|cpu|cuda|cuda:\d{1,2})$/;

/** Parses the worker's environment; throws ConfigError naming the bad variable. */
export function loadWorkerConfig(env: Env = process.env): Readonly<WorkerConfig> {
  const redisUrl = readRequiredRedisUrl(env, 'a worker');
  const device = readString(env, 'DEVICE', 'auto');
  if (!DEVICE_PATTERN.test(device)) throw new ConfigError(`DEVICE="${device}" must be auto, cpu, cuda or cuda:N`);
  const gpuCountRaw = readString(env, 'GPU_COUNT');
  const config: WorkerConfig = {
    redisUrl,
    redisSentinel: readRedisSentinel(env),
    keyPrefix: readKeyPrefix(env),
    modelRepository: readModelRepository(env),
    models: readList(env, 'MODELS'),
    device: device as DeviceSetting,
    intraOpThreads: readInteger(env, 'ORT_INTRA_OP_THREADS', 0, { min: 0, max: availableParallelism() * 4 }),
    allowSpinning: readInteger(env, 'ORT_ALLOW_SPINNING', 0, { min: 0, max: 1 }) === 1,
    concurrencyFactor: readInteger(env, 'BATCH_CONCURRENCY_FACTOR', 2, { min: 1, max: 16 }),
    resultTtlSeconds: readResultTtlSeconds(env),
    runningMarkDelayMs: readInteger(env, 'RUNNING_MARK_DELAY_MS', DEFAULT_RUNNING_MARK_DELAY_MS, { min: 0, max: 60_000 }),
    lockDurationMs: readInteger(env, 'LOCK_DURATION_MS', 30_000, { min: 1_000, max: 3_600_000 }),
    stalledIntervalMs: 0, // set below: its default depends on the lock duration
    maxStalledCount: readInteger(env, 'MAX_STALLED_COUNT', 2, { min: 0, max: 100 }),
    predictionLogSampleRate: readPredictionLogSampleRate(env),
    predictionLogMaxLen: readPredictionLogMaxLen(env),
    versionStatsTtlSeconds: readInteger(env, 'VERSION_STATS_TTL_SECONDS', 7_200, { min: 60, max: 30 * 86_400 }),
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 30_000, { min: 100, max: 3_600_000 }),
    batches: readBatchSettings(env),
    batchJobConcurrency: readInteger(env, 'BATCH_JOB_CONCURRENCY', 1, { min: 1, max: 64 }),
    workerId: readString(env, 'WORKER_ID', `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`),
    logLevel: readLogLevel(env),
    modelStore: readModelStore(env),
    modelCacheDir: resolve(readString(env, 'MODEL_CACHE_DIR', join(readDataDir(env), 'model-cache'))),
  };
  config.stalledIntervalMs = readInteger(env, 'STALLED_INTERVAL_MS', Math.floor(config.lockDurationMs / 2), { min: 500, max: 3_600_000 });
  if (gpuCountRaw !== undefined) config.gpuCount = readInteger(env, 'GPU_COUNT', 0, { min: 0, max: 64 });
  return Object.freeze(config);
}
