import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { HashingLimit } from './byte-limit.js';
import { ObjectStoreError } from './object-store-error.js';
import { isS3NotFound } from './s3-client.js';
import { parseS3Uri } from './s3-location.js';

/** The URI schemes `fetchUri` reads. */
export type UriScheme = 'file' | 's3' | 'https';

/** Options of `fetchUri`. */
export interface FetchUriOptions {
  /** Refuse (`too-large`) a source longer than this; the stream errors once it passes the limit. */
  maxBytes: number;
  /**
   * `file://` reads only files inside these directories (after resolving symlinks): a URI
   * from a client is a server-side read. Empty = no `file://` at all. @defaultValue []
   */
  fileRoots?: readonly string[];
  /** Client for `s3://`; absent = `s3://` is refused (`forbidden`). */
  s3?: S3Client;
  /** Longest time for an `https://` download, headers and body, ms. @defaultValue 600000 */
  httpsTimeoutMs?: number;
  /** Also accept `http://` (tests against a loopback server only). @defaultValue false */
  allowHttp?: boolean;
}

/** An opened source: its bytes, and their length when the source said it up front. */
export interface FetchedUri {
  /** The bytes, cut off with `too-large` past `maxBytes`. */
  body: Readable;
  size: number | undefined;
  scheme: UriScheme;
}

/**
 * Opens `file://`, `s3://bucket/key` or `https://` as a stream, refusing early what is known to
 * be too large. Throws ObjectStoreError: `invalid-uri`, `forbidden`, `not-found`, `too-large`,
 * `unavailable`.
 */
export async function fetchUri(uri: string, options: FetchUriOptions): Promise<FetchedUri> {
  const scheme = /^([a-z0-9+.-]+):/i.exec(uri)?.[1]?.toLowerCase();
  let opened: { body: Readable; size: number | undefined; scheme: UriScheme };
  if (scheme === 'file') opened = { ...(await openFile(uri, options.fileRoots ?? [])), scheme: 'file' };
  else if (scheme === 's3') opened = { ...(await openS3(uri, options.s3)), scheme: 's3' };
  else if (scheme === 'https' || (scheme === 'http' && options.allowHttp === true)) opened = { ...(await openHttps(uri, options.httpsTimeoutMs ?? 600_000)), scheme: 'https' };
  else throw new ObjectStoreError('invalid-uri', `"${uri.slice(0, 200)}": only file://, s3:// and https:// URIs are read`);
  if (opened.size !== undefined && opened.size > options.maxBytes) {
    opened.body.destroy();
    throw new ObjectStoreError('too-large', `${uri.slice(0, 200)} holds ${opened.size} bytes, more than the limit of ${options.maxBytes}`);
  }
  const limit = new HashingLimit(options.maxBytes);
  // Callback form: an error of the source (a reset connection) reaches the reader of `limit`.
  pipeline(opened.body, limit, () => {});
  return { body: limit, size: opened.size, scheme: opened.scheme };
}

async function openFile(uri: string, roots: readonly string[]): Promise<{ body: Readable; size: number }> {
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch (error) {
    throw new ObjectStoreError('invalid-uri', `"${uri.slice(0, 200)}" is not an absolute file:// URI`, { cause: error });
  }
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined) throw new ObjectStoreError('not-found', `${uri.slice(0, 200)} does not exist`);
  const allowed = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
  if (!allowed.some((root) => root !== undefined && (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)))) {
    throw new ObjectStoreError('forbidden', `${uri.slice(0, 200)} is outside the directories file:// URIs may read`);
  }
  const info = await stat(real);
  if (!info.isFile()) throw new ObjectStoreError('not-found', `${uri.slice(0, 200)} is not a file`);
  return { body: createReadStream(real), size: info.size };
}

async function openS3(uri: string, client: S3Client | undefined): Promise<{ body: Readable; size: number | undefined }> {
  const { bucket, key } = parseS3Uri(uri);
  if (!client) throw new ObjectStoreError('forbidden', 's3:// URIs are not enabled here');
  if (key === '') throw new ObjectStoreError('invalid-uri', `"${uri.slice(0, 200)}" names no key`);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!(answer.Body instanceof Readable)) throw new Error('answer without a body stream');
    return { body: answer.Body, size: answer.ContentLength };
  } catch (error) {
    if (isS3NotFound(error)) throw new ObjectStoreError('not-found', `${uri.slice(0, 200)} does not exist`, { cause: error });
    throw new ObjectStoreError('unavailable', `${uri.slice(0, 200)}: ${(error as Error).message}`, { cause: error });
  }
}

async function openHttps(uri: string, timeoutMs: number): Promise<{ body: Readable; size: number | undefined }> {
  let response: Response;
  try {
    response = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new ObjectStoreError('unavailable', `${uri.slice(0, 200)}: ${(error as Error).message}`, { cause: error });
  }
  if (response.status === 404 || response.status === 410) throw new ObjectStoreError('not-found', `${uri.slice(0, 200)} answered ${response.status}`);
  if (!response.ok || !response.body) throw new ObjectStoreError('unavailable', `${uri.slice(0, 200)} answered ${response.status}`);
  const length = response.headers.get('content-length');
  const size = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  return { body: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), size };
}
