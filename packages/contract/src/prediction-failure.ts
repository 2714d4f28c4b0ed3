/**
 * How a prediction's failure travels from the worker: a typed error carrying its registry code,
 * and one codec for the text BullMQ keeps of it (a job's `failedReason`), read back by the worker
 * (what to record when BullMQ gives up) and by the API (the dead-letter list).
 *
 * Wire form of a failed reason: `CODE: message`, CODE from the error-code registry. A reason not
 * of that form was written by BullMQ itself (a stall limit, say) or by an error we did not type:
 * it reads as WORKER_FAILED with the whole text as its message.
 */
import { isErrorCode, type ErrorCode } from './error-codes.js';

/** The error of a failed or expired prediction record. */
export interface PredictionError {
  code: ErrorCode;
  message: string;
}

/** Encodes a prediction error as a BullMQ failed reason. */
export function encodeFailedReason(error: PredictionError): string {
  return `${error.code}: ${error.message}`;
}

/** Decodes a BullMQ failed reason (see the file comment); never throws. */
export function decodeFailedReason(reason: string): PredictionError {
  const code = /^([A-Z][A-Z0-9_]*): /.exec(reason)?.[1];
  return isErrorCode(code) ? { code, message: reason.slice(code.length + 2) } : { code: 'WORKER_FAILED', message: reason };
}

/**
 * A prediction failed with a registry code. Its `message` is the encoded failed reason, because
 * that is the text BullMQ stores. `unrecoverable` (the default) means retries cannot help (bad
 * input, the model rejects it): the error is then named `UnrecoverableError`, which is how BullMQ
 * recognises one (`err.name == 'UnrecoverableError'`), so the job fails at once without retries.
 */
export class PredictionFailure extends Error {
  readonly code: ErrorCode;
  /** The message without the code: what the prediction record says. */
  readonly detail: string;
  readonly unrecoverable: boolean;

  /** @param options.unrecoverable - @defaultValue true */
  constructor(code: ErrorCode, detail: string, options: { unrecoverable?: boolean; cause?: unknown } = {}) {
    super(encodeFailedReason({ code, message: detail }), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
    this.unrecoverable = options.unrecoverable ?? true;
    this.name = this.unrecoverable ? 'UnrecoverableError' : 'PredictionFailure';
  }

  /** The record's error. */
  get error(): PredictionError {
    return { code: this.code, message: this.detail };
  }
}
