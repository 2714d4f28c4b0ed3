import { resolve } from 'node:path';
import { readString, type Env } from '@inferq/env';

/** Batch settings the API and the worker both read (the same directory, the same URI rules). */
export interface BatchSettings {
  /** `BATCH_DATA_DIR`: inputs and results of batches; shared by the API and the workers. @defaultValue './.data/batches' */
  dataDir: string;
  /** `BATCH_FILE_ROOT`: the directory `file://` input and result URIs must lie under. @defaultValue undefined (`file://` refused) */
  fileRoot?: string;
}

/** Reads the batch settings from the environment (paths made absolute). */
export function readBatchSettings(env: Env): BatchSettings {
  const fileRoot = readString(env, 'BATCH_FILE_ROOT');
  return {
    dataDir: resolve(readString(env, 'BATCH_DATA_DIR', './.data/batches')),
    ...(fileRoot ? { fileRoot: resolve(fileRoot) } : {}),
  };
}
