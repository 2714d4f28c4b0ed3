import { ObjectStoreError } from './object-store-error.js';
import { isSha256 } from './byte-limit.js';

/** Throws `invalid-uri` unless `sha256` is a lower-case hex SHA-256 digest (keeps it out of paths and keys otherwise). */
export function checkSha256(sha256: string): void {
  if (!isSha256(sha256)) throw new ObjectStoreError('invalid-uri', `"${String(sha256).slice(0, 80)}" is not a lower-case hex SHA-256`);
}

/** Throws `digest-mismatch` when an expected hash is given and differs from the actual one. */
export function checkDigest(expected: string | undefined, actual: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new ObjectStoreError('digest-mismatch', `the bytes hash to sha256 ${actual}, not the expected ${expected.slice(0, 80)}`);
  }
}
