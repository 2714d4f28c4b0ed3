/**
 * API keys: those given by configuration (API_KEYS, ADMIN_API_KEY; hashes held in memory) and
 * those created through `POST /v1/admin/keys` (hashes in the Redis hash `{prefix}:api-keys`, see
 * redis-keys.ts). Access control is on while any key is configured or stored. Revoked keys stay
 * stored with `revokedAt`, so revoking the last key never turns access control off.
 *
 * Each API process caches what it read from Redis for `cacheMs`: a key created or revoked through
 * another replica takes effect here within that time (at once on the replica that did it).
 */
import type { Redis } from 'ioredis';
import { InferqError, type RedisKeys } from '@inferq/contract';
import { generateApiKey, hashApiKey, hashMatches, ISSUED_KEY_PATTERN, MAX_KEY_LENGTH, type ConfiguredApiKey } from './api-key.js';
import type { Principal, Scope } from './principal.js';
import { redisCall } from '../redis-call.js';

/** A key as stored in Redis. */
interface StoredApiKey {
  id: string;
  name: string;
  scopes: Scope[];
  sha256: string;
  createdAt: number;
  revokedAt?: number;
}

/** A key as the admin routes show it: never its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: Scope[];
  /** `config` for API_KEYS / ADMIN_API_KEY (revoke by removing them there), `redis` for created ones. */
  source: 'config' | 'redis';
  createdAt?: number;
  revokedAt?: number;
}

export interface ApiKeyStoreOptions {
  /** Longest wait for Redis. */
  redisTimeoutMs: number;
  /** How long a read from Redis is trusted. @defaultValue 1000 */
  cacheMs?: number;
}

/** Most stored-key lookups (hits and misses) remembered per process. */
const MAX_CACHED_LOOKUPS = 10_000;

const infoOf = ({ sha256: _hash, ...key }: StoredApiKey): ApiKeyInfo => ({ ...key, source: 'redis' });

export class ApiKeyStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #configured: ReadonlyArray<ConfiguredApiKey & { principal: Principal }>;
  readonly #timeoutMs: number;
  readonly #cacheMs: number;
  #anyStored: { value: boolean; until: number } | undefined;
  #anyStoredLoad: Promise<boolean> | undefined;
  /** id → stored key (null: none) and until when that answer is trusted. */
  readonly #lookups = new Map<string, { key: StoredApiKey | null; until: number }>();

  constructor(redis: Redis, keys: RedisKeys, configured: readonly ConfiguredApiKey[], options: ApiKeyStoreOptions) {
    this.#redis = redis;
    this.#keys = keys;
    this.#configured = configured.map((k) => ({ ...k, principal: Object.freeze({ kind: 'key', id: `env:${k.name}`, name: k.name, scopes: k.scopes }) }));
    this.#timeoutMs = options.redisTimeoutMs;
    this.#cacheMs = options.cacheMs ?? 1_000;
  }

  /**
   * True while any key is configured or stored: then every protected route needs one.
   * When Redis cannot be reached, the last answer stands (keys are never deleted, so it can only
   * be stale in the off → on direction, and then only for routes that need no Redis: metadata);
   * with no answer yet it throws QUEUE_UNAVAILABLE. `createApiServices` asks once at start-up.
   */
  async enabled(): Promise<boolean> {
    if (this.#configured.length > 0) return true;
    if (this.#anyStored && this.#anyStored.until > Date.now()) return this.#anyStored.value;
    this.#anyStoredLoad ??= this.#call(() => this.#redis.exists(this.#keys.apiKeys))
      .then((count) => {
        this.#anyStored = { value: count > 0, until: Date.now() + this.#cacheMs };
        return count > 0;
      }, (error: unknown) => {
        if (this.#anyStored) return this.#anyStored.value;
        throw error;
      })
      .finally(() => { this.#anyStoredLoad = undefined; });
    return this.#anyStoredLoad;
  }

  /** The principal of a presented key; undefined when it is unknown or revoked. */
  async authenticate(presented: string): Promise<Principal | undefined> {
    if (presented.length === 0 || presented.length > MAX_KEY_LENGTH) return undefined;
    const hash = hashApiKey(presented);
    let found: Principal | undefined;
    // Compare with every configured key (no early exit), so timing says nothing about which matched.
    for (const key of this.#configured) if (hashMatches(hash, key.sha256)) found = key.principal;
    if (found) return found;
    const id = ISSUED_KEY_PATTERN.exec(presented)?.[1];
    if (!id) return undefined;
    const stored = await this.#lookup(id);
    if (!stored || stored.revokedAt !== undefined || !hashMatches(hash, stored.sha256)) return undefined;
    return { kind: 'key', id: stored.id, name: stored.name, scopes: stored.scopes };
  }

  /** False once a principal's key is revoked (or, for anonymous callers, once access control is on). */
  async isActive(principal: Principal): Promise<boolean> {
    if (principal.kind === 'anonymous') return !(await this.enabled());
    if (principal.id.startsWith('env:')) return true;
    const stored = await this.#lookup(principal.id);
    return stored !== null && stored.revokedAt === undefined;
  }

  /** Creates a key; the plaintext is returned here and never stored or shown again. */
  async create(name: string, scopes: readonly Scope[]): Promise<{ key: string; info: ApiKeyInfo }> {
    if (this.#configured.some((k) => k.name === name)) {
      throw new InferqError('INVALID_REQUEST', `the name "${name}" is used by a key from the configuration`);
    }
    const { id, key } = generateApiKey();
    const stored: StoredApiKey = { id, name, scopes: [...new Set(scopes)], sha256: hashApiKey(key).toString('hex'), createdAt: Date.now() };
    const created = await this.#call(() => this.#redis.hsetnx(this.#keys.apiKeys, id, JSON.stringify(stored)));
    if (created !== 1) throw new InferqError('INTERNAL_ERROR', 'key id collision; try again');
    this.#remember(id, stored);
    this.#anyStored = { value: true, until: Date.now() + this.#cacheMs };
    return { key, info: infoOf(stored) };
  }

  /** Every key, configured ones first, oldest stored first; hashes are never included. */
  async list(): Promise<ApiKeyInfo[]> {
    const all = await this.#call(() => this.#redis.hgetall(this.#keys.apiKeys));
    const stored = Object.values(all).map((json) => JSON.parse(json) as StoredApiKey).sort((a, b) => a.createdAt - b.createdAt);
    return [
      ...this.#configured.map((k): ApiKeyInfo => ({ id: `env:${k.name}`, name: k.name, scopes: [...k.scopes], source: 'config' })),
      ...stored.map(infoOf),
    ];
  }

  /** Revokes a stored key (idempotent); it stays listed with `revokedAt`. */
  async revoke(id: string): Promise<ApiKeyInfo> {
    const notFound = () => new InferqError('API_KEY_NOT_FOUND', id.startsWith('env:')
      ? `key "${id.slice(0, 80)}" comes from the configuration (API_KEYS / ADMIN_API_KEY); remove it there and restart`
      : `no stored API key has the id "${id.slice(0, 80)}"`);
    if (!/^[0-9a-f]{16}$/.test(id)) throw notFound();
    const json = await this.#call(() => this.#redis.hget(this.#keys.apiKeys, id));
    if (json === null) throw notFound();
    const stored = JSON.parse(json) as StoredApiKey;
    if (stored.revokedAt === undefined) {
      stored.revokedAt = Date.now();
      await this.#call(() => this.#redis.hset(this.#keys.apiKeys, id, JSON.stringify(stored)));
    }
    this.#remember(id, stored);
    return infoOf(stored);
  }

  async #lookup(id: string): Promise<StoredApiKey | null> {
    const cached = this.#lookups.get(id);
    if (cached && cached.until > Date.now()) return cached.key;
    const json = await this.#call(() => this.#redis.hget(this.#keys.apiKeys, id));
    const key = json === null ? null : (JSON.parse(json) as StoredApiKey);
    this.#remember(id, key);
    return key;
  }

  #remember(id: string, key: StoredApiKey | null): void {
    this.#lookups.delete(id);
    this.#lookups.set(id, { key, until: Date.now() + this.#cacheMs });
    // Bounded: random ids sent by a scanner must not grow the map without end.
    if (this.#lookups.size > MAX_CACHED_LOOKUPS) this.#lookups.delete(this.#lookups.keys().next().value!);
  }

  #call<T>(operation: () => Promise<T>): Promise<T> {
    return redisCall(this.#redis, this.#timeoutMs, operation);
  }
}
