import { randomBytes } from 'node:crypto';

/**
 * Prediction ids: 128 random bits from the CSPRNG, base64url without padding (22 chars).
 * Unguessable, so an id is a capability to read its result until auth scopes arrive.
 */
export function newPredictionId(): string {
  return randomBytes(16).toString('base64url');
}

const PREDICTION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** True when `id` has the form `newPredictionId` issues. */
export function isPredictionId(id: string): boolean {
  return PREDICTION_ID_PATTERN.test(id);
}
