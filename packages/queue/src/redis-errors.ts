/**
 * Telling Redis's refusals apart. Redis at its `maxmemory` with the `noeviction` policy answers
 * every command that could grow memory with `OOM command not allowed when used memory >
 * 'maxmemory'.`; inside MULTI the refusal comes back as EXECABORT carrying it in
 * `previousErrors` (ioredis), from a script as an error whose message contains it.
 */

/**
 * True when `error` is Redis refusing a write because it is out of memory.
 *
 * `previousErrors` may hold the error itself: when the connection drops during a MULTI, ioredis
 * rejects every queued command and EXEC with one and the same error object and then lists the
 * commands' errors in EXEC's. So the walk remembers what it has seen instead of recursing
 * (recursing overflowed the stack, and a dropped connection became a 500 instead of a 503).
 */
export function isOutOfMemoryError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!(next instanceof Error) || seen.has(next)) continue;
    seen.add(next);
    if (/\bOOM\b/.test(next.message)) return true;
    const previous = (next as Error & { previousErrors?: unknown }).previousErrors;
    if (Array.isArray(previous)) pending.push(...previous);
  }
  return false;
}
