/**
 * Reading batch inputs from, and writing results to, a URI. `file://` is confined to
 * BATCH_FILE_ROOT (a caller with the `predict` scope must not read the API's own files);
 * `https://` inputs are fetched (bounded by the fetch timeout). Any failure is the caller's:
 * 400 INVALID_BATCH_URI naming the URI.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { InferqError } from '@inferq/contract';

/** Where URIs may point. */
export interface BatchUriSettings {
  /** `BATCH_FILE_ROOT`: the directory `file://` URIs must lie under; undefined = `file://` refused. */
  fileRoot?: string;
  /** Longest wait for an `https://` input to answer. @defaultValue 30000 */
  fetchTimeoutMs?: number;
}

const bad = (message: string): never => {
  throw new InferqError('INVALID_BATCH_URI', message);
};

function filePath(uri: string, settings: BatchUriSettings): string {
  if (!settings.fileRoot) bad(`"${uri.slice(0, 200)}": file:// URIs are off (set BATCH_FILE_ROOT)`);
  let path: string;
  try {
    path = resolve(fileURLToPath(uri));
  } catch {
    return bad(`"${uri.slice(0, 200)}" is not a valid file:// URI`);
  }
  const root = resolve(settings.fileRoot!);
  if (path !== root && !path.startsWith(root + sep)) bad(`"${uri.slice(0, 200)}" is outside BATCH_FILE_ROOT`);
  return path;
}

/** Checks a URI's form without touching it (at submit time, for `resultUri` and schedules). */
export function checkBatchUri(uri: string, settings: BatchUriSettings, purpose: 'input' | 'output'): void {
  if (uri.startsWith('file://')) filePath(uri, settings);
  else if (uri.startsWith('https://') && purpose === 'input') {
    try {
      new URL(uri);
    } catch {
      bad(`"${uri.slice(0, 200)}" is not a valid URL`);
    }
  } else bad(`"${uri.slice(0, 200)}": ${purpose === 'input' ? 'uri' : 'resultUri'} must start with file://${purpose === 'input' ? ' or https://' : ''}`);
}

/** Opens an input URI as a byte stream. */
export async function openBatchUri(uri: string, settings: BatchUriSettings): Promise<Readable> {
  checkBatchUri(uri, settings, 'input');
  if (uri.startsWith('file://')) {
    const path = filePath(uri, settings);
    // Opened first so a missing file is a 400 now, not a stream error later.
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => bad(`"${uri.slice(0, 200)}" cannot be read (${error.code ?? error.message})`));
    return createReadStream(path, { fd: handle, highWaterMark: 1 << 16 });
  }
  const response = await fetch(uri, { signal: AbortSignal.timeout(settings.fetchTimeoutMs ?? 30_000) })
    .catch((error: Error) => bad(`"${uri.slice(0, 200)}" cannot be fetched (${error.message})`));
  if (!response.ok || !response.body) bad(`"${uri.slice(0, 200)}" answered HTTP ${response.status}`);
  return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
}

/** Streams `source` to an output URI (`file://` under BATCH_FILE_ROOT). */
export async function writeBatchUri(uri: string, settings: BatchUriSettings, source: Readable): Promise<void> {
  checkBatchUri(uri, settings, 'output');
  const path = filePath(uri, settings);
  await mkdir(dirname(path), { recursive: true });
  await pipeline(source, createWriteStream(path));
}
