/**
 * Telling Redis's refusals apart. Redis at its `maxmemory` with the `noeviction` policy answers
 * every command that could grow memory with `OOM command not allowed when used memory >
 * 'maxmemory'.`; inside MULTI the refusal comes back as EXECABORT carrying it in
 * `previousErrors` (ioredis), from a script as an error whose message contains it.
 */

const OOM = /\bOOM\b/;

/** True when `error` is Redis refusing a write because it is out of memory. */
export function isOutOfMemoryError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (OOM.test(error.message)) return true;
  // One level only: ioredis may list an error among its own previousErrors (a closed connection
  // fails every queued command with the same error object), so recursing would never end.
  const previous = (error as Error & { previousErrors?: unknown }).previousErrors;
  return Array.isArray(previous) && previous.some((e) => e instanceof Error && OOM.test(e.message));
}
