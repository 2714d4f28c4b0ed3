/**
 * @inferq/object-store: content-addressed blobs (put/get by SHA-256) in a directory or an
 * S3-compatible bucket, and `fetchUri` to stream `file://`, `s3://` and `https://` sources under
 * a size limit. Used for model files (model control) and batch inputs/outputs.
 */
export { ObjectStoreError, type ObjectStoreErrorReason } from './object-store-error.js';
export type { ObjectStore, PutOptions, StoredObject } from './object-store.js';
export { HashingLimit, isSha256, SHA256_PATTERN } from './byte-limit.js';
export { DirectoryObjectStore } from './directory-object-store.js';
export { S3ObjectStore } from './s3-object-store.js';
export { createS3Client } from './s3-client.js';
export { parseS3Uri, type S3Location } from './s3-location.js';
export { s3SettingsFromEnv, type S3Settings } from './s3-settings.js';
export { fetchUri, type FetchUriOptions, type FetchedUri, type UriScheme } from './fetch-uri.js';
export { checkObjectStoreUrl, openObjectStore } from './open-object-store.js';
export { sha256OfFile, verifyFile } from './verify-file.js';
export { spool, type Spooled } from './spool.js';
