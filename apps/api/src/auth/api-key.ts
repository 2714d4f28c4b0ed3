/**
 * API key material. Keys are high-entropy random strings, so one SHA-256 is a safe way to store
 * them (no salt or slow hash needed: there is nothing to guess); only hashes are ever kept.
 *
 * Issued keys look like `iq_<id>_<secret>`: `id` is 16 hex characters (8 random bytes, public, used
 * to find the stored hash and recorded as a prediction's owner), `secret` 43 base64url characters
 * (32 random bytes).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isScope, type Scope } from './principal.js';

/** The form of keys `POST /v1/admin/keys` issues; captures the id. */
export const ISSUED_KEY_PATTERN = /^iq_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/** Names of keys (API_KEYS entries and admin-created keys). */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Longest credential looked at; anything longer is refused without hashing it. */
export const MAX_KEY_LENGTH = 256;

/** Shortest plaintext accepted for ADMIN_API_KEY. */
export const MIN_CONFIGURED_KEY_LENGTH = 32;

/** A key given by configuration: its name, scopes and the SHA-256 of the key. */
export interface ConfiguredApiKey {
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** 64 lowercase hex characters. */
  readonly sha256: string;
}

/** SHA-256 of a key, as 32 bytes. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Compares a key's hash with a stored hex hash in constant time. */
export function hashMatches(hash: Buffer, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === hash.length && timingSafeEqual(stored, hash);
}

/** A new key and its id. */
export function generateApiKey(): { id: string; key: string } {
  const id = randomBytes(8).toString('hex');
  return { id, key: `iq_${id}_${randomBytes(32).toString('base64url')}` };
}

/** Parses `predict+read` into scopes; undefined when empty, unknown or repeated. */
export function parseScopes(text: string): Scope[] | undefined {
  const scopes = text.split('+').map((s) => s.trim());
  if (scopes.length === 0 || !scopes.every(isScope) || new Set(scopes).size !== scopes.length) return undefined;
  return scopes as Scope[];
}

/**
 * Parses `API_KEYS`: comma-separated `name:scope+scope:sha256hex` entries, e.g.
 * `ci:predict+read:9f86d08…`. Throws an Error naming the bad entry (by position and name, never
 * by value).
 */
export function parseConfiguredKeys(text: string): ConfiguredApiKey[] {
  const keys: ConfiguredApiKey[] = [];
  const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    const [name = '', scopeText = '', sha256 = '', ...rest] = entry.split(':');
    const where = `entry ${index + 1}`;
    if (!KEY_NAME_PATTERN.test(name)) throw new Error(`${where}: the name must match ${KEY_NAME_PATTERN.source} (format name:scope+scope:sha256hex)`);
    const scopes = parseScopes(scopeText);
    if (!scopes) throw new Error(`${where} ("${name}"): scopes must be one or more of predict, read, admin joined by +`);
    if (rest.length > 0 || !/^[0-9a-fA-F]{64}$/.test(sha256)) {
      throw new Error(`${where} ("${name}"): the third part must be the key's SHA-256 as 64 hex characters (not the key itself)`);
    }
    if (keys.some((k) => k.name === name)) throw new Error(`${where}: the name "${name}" is used twice`);
    keys.push(Object.freeze({ name, scopes, sha256: sha256.toLowerCase() }));
  }
  return keys;
}
