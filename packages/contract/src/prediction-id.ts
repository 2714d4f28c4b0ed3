import { randomFillSync } from 'node:crypto';

const ID_BYTES = 16;
/**
 * CSPRNG bytes drawn 256 ids at a time: one `randomBytes(16)` per id cost ~2 % of the API's CPU
 * at 4 000 predictions/s (a call into the CSPRNG and a new Buffer each). Each byte serves one id only.
 */
const pool = Buffer.allocUnsafe(ID_BYTES * 256);
let poolOffset = pool.byteLength;

/**
 * Prediction ids: 128 random bits from the CSPRNG, base64url without padding (22 chars), never
 * starting with '-' or '_'.
 * Unguessable, so an id is a capability to read its result until auth scopes arrive.
 */
export function newPredictionId(): string {
  if (poolOffset === pool.byteLength) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += ID_BYTES;
  // A first byte ≥ 0xf8 would start the id with '-' or '_': a command line reads `-…` as an
  // option (`inferq dead-letters retry -bg0W…` failed so). Clearing its top bit keeps ~128 bits.
  if (pool[start]! >= 0xf8) pool[start]! &= 0x7f;
  return pool.toString('base64url', start, poolOffset);
}

const PREDICTION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** True when `id` has the form `newPredictionId` issues. */
export function isPredictionId(id: string): boolean {
  return PREDICTION_ID_PATTERN.test(id);
}
