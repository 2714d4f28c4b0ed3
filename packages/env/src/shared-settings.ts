/**
 * Settings that several processes read: parsed here once, with one default and one range, so the
 * API, workers, monitor and launcher cannot disagree about them.
 */
import { resolve } from 'node:path';
import { DEFAULT_KEY_PREFIX } from '@inferq/contract';
import { LOG_LEVELS, type LogLevel } from '@inferq/logger';
import { ConfigError } from './config-error.js';
import { readChoice, readInteger, readNumber, readRedisUrl, readString, type Env } from './env-readers.js';

/** `RESULT_TTL_SECONDS` bounds: one second to 30 days. */
export const RESULT_TTL_RANGE = Object.freeze({ min: 1, max: 30 * 86_400 });

/** `REDIS_URL`, required by every process but the launcher (which starts a Redis when it is unset). */
export function readRequiredRedisUrl(env: Env, processName: string): string {
  const url = readRedisUrl(env, 'REDIS_URL');
  if (!url) throw new ConfigError(`REDIS_URL is required for ${processName} (e.g. redis://127.0.0.1:6379); \`npm start\` starts an embedded Redis for you`);
  return url;
}

/** `KEY_PREFIX`: first segment of every Redis key. @defaultValue 'inferq' */
export const readKeyPrefix = (env: Env): string => readString(env, 'KEY_PREFIX', DEFAULT_KEY_PREFIX);

/** `MODEL_REPOSITORY`, as an absolute path. @defaultValue './models' */
export const readModelRepository = (env: Env): string => resolve(readString(env, 'MODEL_REPOSITORY', './models'));

/** `RESULT_TTL_SECONDS`: how long a prediction stays readable after it ends. @defaultValue 86400 */
export const readResultTtlSeconds = (env: Env): number => readInteger(env, 'RESULT_TTL_SECONDS', 86_400, RESULT_TTL_RANGE);

/** `LOG_LEVEL`. @defaultValue 'info' */
export const readLogLevel = (env: Env): LogLevel => readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS);

/** `PORT` of the API. @defaultValue 3000 */
export const readApiPort = (env: Env): number => readInteger(env, 'PORT', 3000, { min: 0, max: 65_535 });

/** `HOST` the API listens on. @defaultValue '127.0.0.1' (set 0.0.0.0 in containers) */
export const readApiHost = (env: Env): string => readString(env, 'HOST', '127.0.0.1');

/**
 * Most columns and data rows of a reference sample. Read by the API (which refuses larger
 * uploads) and the monitor (which does not use a larger file found on disk) through one reader,
 * so the two agree.
 */
export type ReferenceLimits = Readonly<{ maxColumns: number; maxRows: number }>;

/** `REFERENCE_MAX_COLUMNS` (@defaultValue 1000) and `REFERENCE_MAX_ROWS` (@defaultValue 100000). */
export function readReferenceLimits(env: Env): ReferenceLimits {
  return Object.freeze({
    maxColumns: readInteger(env, 'REFERENCE_MAX_COLUMNS', 1_000, { min: 1, max: 100_000 }),
    maxRows: readInteger(env, 'REFERENCE_MAX_ROWS', 100_000, { min: 1, max: 10_000_000 }),
  });
}

/**
 * `PREDICTION_LOG_SAMPLE_RATE`: share of predictions appended to the prediction log (0 turns the
 * log off, 1 logs every one). Workers log computed predictions, the API those the prediction
 * cache answers, so both read it here. @defaultValue 1
 */
export const readPredictionLogSampleRate = (env: Env): number => readNumber(env, 'PREDICTION_LOG_SAMPLE_RATE', 1, { min: 0, max: 1 });

/** `PREDICTION_LOG_MAX_LEN`: entries the prediction log stream keeps (trimmed approximately). @defaultValue 100000 */
export const readPredictionLogMaxLen = (env: Env): number => readInteger(env, 'PREDICTION_LOG_MAX_LEN', 100_000, { min: 100, max: 100_000_000 });
