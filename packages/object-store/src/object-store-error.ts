/**
 * The one error type of the object store. `reason` is stable so callers map it to their own
 * error codes (the API maps it to its registry) without parsing messages.
 */

/** Why a store or fetch operation failed. */
export type ObjectStoreErrorReason =
  /** More bytes than the limit: the caller answers 413. */
  | 'too-large'
  /** The bytes do not hash to the sha256 the caller expected. */
  | 'digest-mismatch'
  /** No object with that hash, or the URI names nothing. */
  | 'not-found'
  /** A `file://` path outside the allowed roots, or a scheme the caller did not allow. */
  | 'forbidden'
  /** The URI or hash is malformed, or its scheme is not supported. */
  | 'invalid-uri'
  /** The remote server (S3, https) failed or could not be reached. */
  | 'unavailable';

/** A failed put/get/fetch with a machine-readable reason. */
export class ObjectStoreError extends Error {
  readonly reason: ObjectStoreErrorReason;

  constructor(reason: ObjectStoreErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectStoreError';
    this.reason = reason;
  }
}
