/**
 * The prediction cache (docs/cache.md): opt-in per model version with `"cache"` in its
 * config.json. An identical request (same model, version, input bytes and output-changing
 * parameters, see `predictionCacheKey` in `@inferq/tensor`) is answered from the stored result of
 * an earlier one, without a queue job.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ERROR_MESSAGE } from './schema-validator.js';

/** Longest cache TTL accepted: 30 days (the longest result retention). */
export const MAX_CACHE_TTL_SECONDS = 30 * 86_400;
/** Most entries one version's cache may be configured to hold. */
export const MAX_CACHE_ENTRIES = 10_000_000;

/** `"cache"` of a version's config.json. */
export const CacheConfig = Type.Object({
  /** Seconds an entry is served after the computed result that filled it. */
  ttlSeconds: Type.Integer({ minimum: 1, maximum: MAX_CACHE_TTL_SECONDS, [ERROR_MESSAGE]: `must be an integer in [1, ${MAX_CACHE_TTL_SECONDS}]` }),
  /** Most entries kept for the version; the oldest are evicted by the insert that exceeds it. */
  maxEntries: Type.Integer({ minimum: 1, maximum: MAX_CACHE_ENTRIES, [ERROR_MESSAGE]: `must be an integer in [1, ${MAX_CACHE_ENTRIES}]` }),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object { "ttlSeconds": integer, "maxEntries": integer }' });
export type CacheConfig = Static<typeof CacheConfig>;

/** A cache key: lowercase hex SHA-256 (anything can write to a queue, so the worker checks the form). */
export const CACHE_KEY_PATTERN = /^[0-9a-f]{64}$/;
