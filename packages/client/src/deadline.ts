/** One AbortSignal for a call: the caller's signal and the client-side timeout, whichever comes first. */
import { InferqClientError } from './errors.js';

/** A call's combined signal; `error()` tells which of the two fired; `dispose()` stops the timer. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** The error to reject with once `signal` fired. */
  error(): InferqClientError;
  /** Milliseconds left (Infinity without a timeout). */
  remaining(): number;
  /** Ends the call now with `error` (the client is closing). */
  cancel(error: InferqClientError): void;
  dispose(): void;
}

/** Starts the clock of one call (`timeoutMs` 0 = none). */
export function startDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined, what: string, predictionId?: () => string | undefined): Deadline {
  const controller = new AbortController();
  const endsAt = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
  let reason: InferqClientError | undefined;
  const fire = (error: InferqClientError) => {
    if (reason) return;
    reason = error;
    controller.abort(error);
  };
  const id = () => predictionId?.();
  const onAbort = () => fire(new InferqClientError('ABORTED', `${what} was aborted`, { ...(id() ? { predictionId: id()! } : {}), cause: callerSignal?.reason }));
  if (callerSignal?.aborted) onAbort();
  else callerSignal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs > 0
    ? setTimeout(() => fire(new InferqClientError('CLIENT_TIMEOUT', `${what} took longer than ${timeoutMs} ms${id() ? ` (prediction ${id()} may still finish: get it by id)` : ''}`, id() ? { predictionId: id()! } : {})), timeoutMs)
    : undefined;
  return {
    signal: controller.signal,
    error: () => reason ?? new InferqClientError('ABORTED', `${what} was aborted`),
    remaining: () => endsAt - Date.now(),
    cancel: fire,
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves after `ms`, or rejects with the deadline's error when it fires first. */
export function delay(ms: number, deadline?: Deadline): Promise<void> {
  return new Promise((resolve, reject) => {
    if (deadline?.signal.aborted) return reject(deadline.error());
    const onAbort = () => {
      clearTimeout(timer);
      reject(deadline!.error());
    };
    const timer = setTimeout(() => {
      deadline?.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    deadline?.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races `promise` against the deadline. */
export function raceDeadline<T>(promise: Promise<T>, deadline: Deadline): Promise<T> {
  if (deadline.signal.aborted) return Promise.reject(deadline.error());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline.error());
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { deadline.signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { deadline.signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}
