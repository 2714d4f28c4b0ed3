import { ObjectStoreError } from './object-store-error.js';

/** A bucket and a key (or key prefix) from `s3://bucket/key`. */
export interface S3Location {
  bucket: string;
  key: string;
}

/** S3 bucket names: 3-63 of lower-case letters, digits, dots and hyphens. */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/key`; throws `invalid-uri`. The key may be empty (a store prefix). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match || !BUCKET_PATTERN.test(match[1]!)) {
    throw new ObjectStoreError('invalid-uri', `"${uri.slice(0, 200)}" is not an s3://bucket/key URI`);
  }
  return { bucket: match[1]!, key: decodeURIComponent(match[2]!) };
}
