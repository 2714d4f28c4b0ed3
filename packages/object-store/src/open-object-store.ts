import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectoryObjectStore } from './directory-object-store.js';
import type { ObjectStore } from './object-store.js';
import { createS3Client } from './s3-client.js';
import { parseS3Uri } from './s3-location.js';
import { S3ObjectStore } from './s3-object-store.js';
import type { S3Settings } from './s3-settings.js';

/**
 * Checks a store URL (`s3://bucket/prefix`, `file:///dir` or a directory path) without
 * connecting; throws an Error that starts with `variable`. For config.ts.
 */
export function checkObjectStoreUrl(variable: string, url: string): string {
  try {
    if (url.startsWith('s3://')) parseS3Uri(url);
    else if (url.startsWith('file:')) fileURLToPath(url);
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error('only s3://bucket/prefix, file:///dir or a directory path');
    else if (url.trim() === '') throw new Error('empty');
  } catch (error) {
    throw new Error(`${variable}: "${url.slice(0, 200)}" is not a store location (${(error as Error).message})`, { cause: error });
  }
  return url;
}

/**
 * Opens the store at `url`: `s3://bucket/prefix` (with `s3` settings), `file:///dir` or a
 * plain directory path (relative to the working directory).
 */
export function openObjectStore(url: string, s3: S3Settings, options: { spoolDir?: string } = {}): ObjectStore {
  if (url.startsWith('s3://')) return new S3ObjectStore(createS3Client(s3), parseS3Uri(url), options.spoolDir);
  const dir = url.startsWith('file:') ? fileURLToPath(url) : url;
  return new DirectoryObjectStore(isAbsolute(dir) ? dir : resolve(dir));
}
