/**
 * Reading batch inputs from, and writing results to, a URI, through @inferq/object-store's
 * `fetchUri`: `file://` confined to BATCH_FILE_ROOT (a caller with the `predict` scope must not
 * read the API's own files), `s3://bucket/key` with the S3 settings (S3_ENDPOINT, AWS_*), and
 * `https://` (inputs only). Any failure is the caller's: 400 INVALID_BATCH_URI naming the URI.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InferqError } from '@inferq/contract';
import { createS3Client, fetchUri, ObjectStoreError, parseS3Uri, type S3Settings } from '@inferq/object-store';

/** Where URIs may point. */
export interface BatchUriSettings {
  /** `BATCH_FILE_ROOT`: the directory `file://` URIs must lie under; undefined = `file://` refused. */
  fileRoot?: string;
  /** `BATCH_MAX_INPUT_BYTES`: the largest input read from a URI. */
  maxInputBytes: number;
  /** S3 connection (S3_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, ...). */
  s3: S3Settings;
  /** Where results are spooled before an `s3://` upload (S3 wants the length up front). */
  spoolDir: string;
}

const bad = (message: string, cause?: unknown): never => {
  throw new InferqError('INVALID_BATCH_URI', message, { cause });
};

const clients = new WeakMap<S3Settings, S3Client>();
function s3Client(settings: S3Settings): S3Client {
  let client = clients.get(settings);
  if (!client) clients.set(settings, (client = createS3Client(settings)));
  return client;
}

function filePath(uri: string, settings: BatchUriSettings): string {
  if (!settings.fileRoot) bad(`"${uri.slice(0, 200)}": file:// URIs are off (set BATCH_FILE_ROOT)`);
  let path: string;
  try {
    path = resolve(fileURLToPath(uri));
  } catch (error) {
    return bad(`"${uri.slice(0, 200)}" is not a valid file:// URI`, error);
  }
  const root = resolve(settings.fileRoot!);
  if (path !== root && !path.startsWith(root + sep)) bad(`"${uri.slice(0, 200)}" is outside BATCH_FILE_ROOT`);
  return path;
}

/** Checks a URI's form without touching it (at submit time: `resultUri`, schedules). */
export function checkBatchUri(uri: string, settings: BatchUriSettings, purpose: 'input' | 'output'): void {
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(uri)?.[1]?.toLowerCase();
  try {
    if (scheme === 'file') filePath(uri, settings);
    else if (scheme === 's3') parseS3Uri(uri);
    else if (scheme === 'https' && purpose === 'input') new URL(uri);
    else bad(`"${uri.slice(0, 200)}": ${purpose === 'input' ? '"uri" must start with file://, s3:// or https://' : '"resultUri" must start with file:// or s3://'}`);
  } catch (error) {
    if (error instanceof InferqError) throw error;
    bad(`"${uri.slice(0, 200)}" is not a valid URI: ${(error as Error).message}`, error);
  }
}

/** Opens an input URI as a byte stream (cut off past BATCH_MAX_INPUT_BYTES). */
export async function openBatchUri(uri: string, settings: BatchUriSettings): Promise<Readable> {
  checkBatchUri(uri, settings, 'input');
  try {
    const { body } = await fetchUri(uri, {
      maxBytes: settings.maxInputBytes,
      fileRoots: settings.fileRoot ? [settings.fileRoot] : [],
      ...(uri.startsWith('s3://') ? { s3: s3Client(settings.s3) } : {}),
    });
    return body;
  } catch (error) {
    if (error instanceof ObjectStoreError) bad(`"${uri.slice(0, 200)}" cannot be read: ${error.message}`, error);
    throw error;
  }
}

/** Streams `source` to an output URI: a file under BATCH_FILE_ROOT, or an S3 object. */
export async function writeBatchUri(uri: string, settings: BatchUriSettings, source: Readable): Promise<void> {
  checkBatchUri(uri, settings, 'output');
  if (uri.startsWith('file://')) {
    const path = filePath(uri, settings);
    await mkdir(dirname(path), { recursive: true });
    await pipeline(source, createWriteStream(path));
    return;
  }
  const { bucket, key } = parseS3Uri(uri);
  await mkdir(settings.spoolDir, { recursive: true });
  const spool = join(settings.spoolDir, `.upload-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  try {
    await pipeline(source, createWriteStream(spool));
    const { size } = await stat(spool);
    await s3Client(settings.s3).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(spool), ContentLength: size }));
  } finally {
    await rm(spool, { force: true });
  }
}
