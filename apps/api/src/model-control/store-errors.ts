import { InferqError, type ErrorCode } from '@inferq/contract';
import { ObjectStoreError, type ObjectStoreErrorReason } from '@inferq/object-store';

const CODES: Readonly<Record<ObjectStoreErrorReason, ErrorCode>> = {
  'too-large': 'MODEL_TOO_LARGE',
  'digest-mismatch': 'DIGEST_MISMATCH',
  'not-found': 'INVALID_MODEL_URI',
  forbidden: 'MODEL_URI_FORBIDDEN',
  'invalid-uri': 'INVALID_MODEL_URI',
  unavailable: 'MODEL_SOURCE_UNAVAILABLE',
};

/** An object store or fetch failure as the registry code a client sees; anything else unchanged. */
export function storeErrorToInferq(error: unknown): unknown {
  if (!(error instanceof ObjectStoreError)) return error;
  return new InferqError(CODES[error.reason], error.message, { cause: error });
}
