import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashingLimit } from './byte-limit.js';
import { checkDigest } from './hash-check.js';
import type { PutOptions, StoredObject } from './object-store.js';

/** A source written to a temporary file, with its hash and size. */
export interface Spooled extends StoredObject {
  path: string;
  /** Deletes the temporary file (when it was not moved away). */
  discard(): Promise<void>;
}

/**
 * Streams `source` to a fresh file in `dir`, hashing and counting; the name is only known once
 * the hash is, so every store writes here first and then moves or uploads the file.
 * On any failure the file is removed and the error rethrown.
 */
export async function spool(source: Readable | AsyncIterable<Uint8Array>, dir: string, options: PutOptions): Promise<Spooled> {
  const path = join(dir, `.incoming-${process.pid}-${randomBytes(8).toString('hex')}`);
  const discard = () => rm(path, { force: true });
  const limit = new HashingLimit(options.maxBytes);
  try {
    const readable = source instanceof Readable ? source : Readable.from(source);
    await pipeline(readable, limit, createWriteStream(path, { flags: 'wx' }));
    checkDigest(options.sha256, limit.sha256);
  } catch (error) {
    await discard();
    throw error;
  }
  return { path, sha256: limit.sha256, size: limit.bytes, discard };
}
