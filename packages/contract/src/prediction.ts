/**
 * A prediction as clients see it (`GET /v1/predictions/:id`, WebSocket results) and as the
 * worker stores it.
 */
import type { ErrorCode } from './error-codes.js';
import type { InferenceResponse } from './inference-protocol.js';

/**
 * Life cycle: queued → running → completed | failed, or queued → expired when the request's
 * deadline passed before a worker took it. Transitions only move forward (the store enforces it
 * in Redis): a re-run never turns a final record back into `running`, and a final record is
 * never overwritten, except by an explicit retry of a failed prediction (failed → queued).
 */
export type PredictionStatus = 'queued' | 'running' | 'completed' | 'failed' | 'expired';

/** Statuses after which nothing changes. */
export const FINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set(['completed', 'failed', 'expired']);

/** Where the time of one prediction went, in milliseconds. */
export interface PredictionTimings {
  /** From acceptance by the API until its batch started. */
  queueWaitMs?: number;
  /** Wall time of the `session.run` call of the batch it ran in. */
  inferenceMs?: number;
  /** From acceptance until the result was written. */
  totalMs?: number;
  /** Rows in the batch this prediction ran in (its own rows included). */
  batchSize?: number;
  /** Number of requests that shared that batch. */
  batchRequests?: number;
}

/** Which worker process computed the prediction, and on what device. */
export interface WorkerIdentity {
  id: string;
  device: string;
}

/** The state of one prediction. */
export interface PredictionRecord {
  id: string;
  status: PredictionStatus;
  model: string;
  version: string;
  /** Epoch milliseconds when the API accepted it. */
  createdAt: number;
  result?: InferenceResponse;
  error?: { code: ErrorCode; message: string };
  timings: PredictionTimings;
  worker?: WorkerIdentity;
  /**
   * Id of the API key that submitted it; absent when access control was off. Read from the store
   * for ownership checks and never sent to clients.
   */
  owner?: string;
}

/** 202 answer to a submitted prediction. */
export interface PredictionAccepted {
  id: string;
  status: 'queued';
  model: string;
  version: string;
}

/** What the worker publishes when a prediction ends: the record plus the accepting API's id. */
export interface PredictionFinalEvent extends PredictionRecord {
  origin?: string;
}
