/**
 * Telling Redis's refusals apart. Redis at its `maxmemory` with the `noeviction` policy answers
 * every command that could grow memory with `OOM command not allowed when used memory >
 * 'maxmemory'.`; inside MULTI the refusal comes back as EXECABORT carrying it in
 * `previousErrors` (ioredis), from a script as an error whose message contains it.
 */

/** True when `error` is Redis refusing a write because it is out of memory. */
export function isOutOfMemoryError(error: unknown): boolean {
  return carriesOom(error, new Set());
}

// `seen`: when a connection drops mid-MULTI, ioredis can list an error among its own
// previousErrors; following that cycle overflowed the stack and turned a Redis failover into
// 500s (found by test/e2e/redis-sentinel-failover.test.ts).
function carriesOom(error: unknown, seen: Set<unknown>): boolean {
  if (!(error instanceof Error) || seen.has(error)) return false;
  seen.add(error);
  if (/\bOOM\b/.test(error.message)) return true;
  const previous = (error as Error & { previousErrors?: unknown[] }).previousErrors;
  return Array.isArray(previous) && previous.some((e) => carriesOom(e, seen));
}
