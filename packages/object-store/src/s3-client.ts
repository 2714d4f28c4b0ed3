import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './s3-settings.js';

/** An SDK v3 client from settings (credentials absent: the SDK's default provider chain). */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // The SDK's default (checksums on every streamed put, sent as aws-chunked framing) is not
    // understood by several S3-compatible servers, which then store the framing as data; our
    // objects are named by their SHA-256 and checked on download instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Bounded: a dead endpoint fails the call instead of holding it for the SDK's defaults.
    maxAttempts: 3,
  });
}

/** True for the SDK's "no such key/bucket" answers. */
export function isS3NotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.name === 'NoSuchBucket' || e?.$metadata?.httpStatusCode === 404;
}
