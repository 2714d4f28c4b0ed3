import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { checkDigest } from './hash-check.js';

/** The hex SHA-256 of a file, read as a stream. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Throws `digest-mismatch` unless the file hashes to `sha256`. */
export async function verifyFile(path: string, sha256: string): Promise<void> {
  checkDigest(sha256, await sha256OfFile(path));
}
