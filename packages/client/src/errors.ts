/**
 * Every failure the client reports is an {@link InferqClientError}: the API's own error codes
 * (the registry in `@inferq/contract`, documented in docs/api.md) pass through unchanged, and the
 * few things only a client can see (no connection, a client-side timeout, an abort) get codes of
 * their own, so callers branch on `code`, never on message text.
 */
import type { ErrorCode } from '@inferq/contract';

/** Codes only the client raises (the server never sends them). */
export type ClientErrorCode =
  /** The API could not be reached (refused, reset, DNS) or answered something that is not inferq. */
  | 'CONNECTION_FAILED'
  /** The socket closed after a `predict` was sent but before it was accepted: it may or may not have been queued. */
  | 'CONNECTION_LOST'
  /** The client-side `timeoutMs` passed; the prediction (if accepted) may still finish: see `predictionId`. */
  | 'CLIENT_TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** `close()` was called while this call was pending. */
  | 'CLIENT_CLOSED'
  /** A bad argument to a client method (named in the message); nothing was sent. */
  | 'INVALID_ARGUMENT';

/** An error code from the server's registry or from the client. */
export type InferqErrorCode = ErrorCode | ClientErrorCode;

/** Options of {@link InferqClientError}. */
export interface InferqClientErrorOptions {
  /** HTTP status of the answer; 0 when there was none (connection, timeout, abort, WebSocket). */
  status?: number;
  /** The prediction this error is about, when there is one (a failed or timed-out prediction). */
  predictionId?: string;
  /** Milliseconds the server asked to wait before retrying (`Retry-After`, `retryAfterMs`). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A failure with a stable code: `code` is from docs/api.md's registry or a {@link ClientErrorCode}. */
export class InferqClientError extends Error {
  override readonly name = 'InferqClientError';
  readonly code: InferqErrorCode;
  /** HTTP status, or 0 when no HTTP answer carried the error. */
  readonly status: number;
  readonly predictionId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: InferqErrorCode, message: string, options: InferqClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 0;
    this.predictionId = options.predictionId;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** True for errors worth retrying later with the same request: nothing was queued. */
export function isRetryableRefusal(error: unknown): error is InferqClientError {
  return error instanceof InferqClientError
    && (error.code === 'QUEUE_UNAVAILABLE' || error.code === 'API_SHUTTING_DOWN' || error.code === 'QUEUE_FULL' || error.code === 'RATE_LIMITED');
}

/** Builds the error for a non-2xx answer from its JSON body (`{error:{code,message}}` or v2's `{error, code}`). */
export function errorFromBody(status: number, body: unknown, retryAfterHeader: string | null): InferqClientError {
  let code: string | undefined;
  let message: string | undefined;
  if (typeof body === 'object' && body !== null) {
    const error = (body as { error?: unknown; code?: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
      message = typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : undefined;
    } else if (typeof error === 'string') {
      message = error;
      code = typeof (body as { code?: unknown }).code === 'string' ? (body as { code: string }).code : undefined;
    }
  }
  const seconds = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
  return new InferqClientError(
    (code ?? (status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST')) as InferqErrorCode,
    message ?? `HTTP ${status}`,
    { status, ...(Number.isFinite(seconds) ? { retryAfterMs: seconds * 1000 } : {}) },
  );
}
