/**
 * Exit codes scripts can rely on (docs/cli.md). Stable: a new failure kind gets a new number.
 */
import { InferqClientError } from '@inferq/client';

export const EXIT = Object.freeze({
  /** Everything asked for succeeded. */
  OK: 0,
  /** A prediction ended `failed` or `expired` (INFERENCE_FAILED, WORKER_FAILED, DEADLINE_EXCEEDED). */
  PREDICTION_FAILED: 1,
  /** Bad command line or input file: nothing was sent. */
  USAGE: 2,
  /** The API could not be reached, timed out, or is unavailable (503, 5xx). */
  CONNECTION: 3,
  /** The API key is missing, unknown, revoked (401) or lacks the scope (403). */
  AUTH: 4,
  /** The API refused the request: validation (400), not found (404), conflict (409), queue full or rate limited (429). */
  REJECTED: 5,
});

const PREDICTION_FAILURES: ReadonlySet<string> = new Set(['INFERENCE_FAILED', 'WORKER_FAILED', 'DEADLINE_EXCEEDED', 'INTERNAL_ERROR']);

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.USAGE;
  if (!(error instanceof InferqClientError)) return EXIT.USAGE;
  // A prediction that ended failed or expired carries its id and the code it ended with.
  if (error.predictionId !== undefined && PREDICTION_FAILURES.has(error.code)) return EXIT.PREDICTION_FAILED;
  if (error.code === 'INVALID_ARGUMENT') return EXIT.USAGE;
  if (error.status === 401 || error.status === 403 || error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN') return EXIT.AUTH;
  if (['CONNECTION_FAILED', 'CONNECTION_LOST', 'CLIENT_TIMEOUT', 'QUEUE_UNAVAILABLE', 'INFERENCE_TIMEOUT', 'CLIENT_CLOSED', 'ABORTED'].includes(error.code) || error.status >= 500) return EXIT.CONNECTION;
  return EXIT.REJECTED;
}

/** A bad argument or input file, found before anything was sent. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
