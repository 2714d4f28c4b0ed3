import { join, resolve } from 'node:path';
import { ConfigError, readInteger, readString, type Env } from '@inferq/env';
import { s3SettingsFromEnv, type S3Settings } from '@inferq/object-store';

/** Batch settings the API and the worker both read (the same directory, the same URI rules). */
export interface BatchSettings {
  /** `BATCH_DATA_DIR`: inputs and results of batches; shared by the API and the workers. @defaultValue './.data/batches' */
  dataDir: string;
  /** `BATCH_FILE_ROOT`: the directory `file://` input and result URIs must lie under. @defaultValue undefined (`file://` refused) */
  fileRoot?: string;
  /** `BATCH_MAX_INPUT_BYTES`: the largest input read from a URI. @defaultValue 17179869184 (16 GiB) */
  maxInputBytes: number;
  /** `S3_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `S3_FORCE_PATH_STYLE`: for `s3://` URIs. */
  s3: S3Settings;
  /** Where results are spooled before an `s3://` upload: `{dataDir}/.spool`. */
  spoolDir: string;
}

/** Reads the batch settings from the environment (paths made absolute); a ConfigError names a bad variable. */
export function readBatchSettings(env: Env): BatchSettings {
  const fileRoot = readString(env, 'BATCH_FILE_ROOT');
  const dataDir = resolve(readString(env, 'BATCH_DATA_DIR', './.data/batches'));
  let s3: S3Settings;
  try {
    s3 = s3SettingsFromEnv(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    dataDir,
    ...(fileRoot ? { fileRoot: resolve(fileRoot) } : {}),
    maxInputBytes: readInteger(env, 'BATCH_MAX_INPUT_BYTES', 16 * 1024 ** 3, { min: 1024, max: Number.MAX_SAFE_INTEGER }),
    s3,
    spoolDir: join(dataDir, '.spool'),
  };
}
