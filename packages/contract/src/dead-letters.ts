/** The dead-letter list (`GET /v1/models/{model}/failed`) as the API answers it and the client reads it. */
import type { ErrorCode } from './error-codes.js';

/** One dead letter: a failed prediction kept for retry. */
export interface DeadLetter {
  id: string;
  /** The failed BullMQ job: the prediction id, or its bundle's (retrying one retries the bundle). */
  job: string;
  version: string;
  error: { code: ErrorCode; message: string };
  attemptsMade: number;
  /** Epoch ms. */
  failedAt: number;
}

/** `GET /v1/models/{model}/failed`. */
export interface DeadLetterList {
  model: string;
  total: number;
  failed: DeadLetter[];
}
