/**
 * WebSocket messages on `GET /v1/ws`. Every message is one JSON text frame.
 */
import type { ErrorCode } from './error-codes.js';
import type { InferenceRequest, InferenceResponse } from './inference-protocol.js';
import type { PredictionTimings } from './prediction.js';

/** Client → server: submit a prediction; `ref` is echoed so the client can match the answer. */
export interface WsPredictMessage {
  type: 'predict';
  model: string;
  version?: string;
  request: InferenceRequest;
  ref?: string;
}

/** Client → server: deliver the results of these ids (at once for those already finished). */
export interface WsSubscribeMessage {
  type: 'subscribe';
  ids: string[];
}

export type WsClientMessage = WsPredictMessage | WsSubscribeMessage;

/** Server → client: the prediction was queued under `id`. */
export interface WsAcceptedMessage {
  type: 'accepted';
  id: string;
  ref?: string;
  model: string;
  version: string;
}

/** Server → client: a final result (`expired`: its deadline passed before it ran, code DEADLINE_EXCEEDED). */
export type WsResultMessage =
  | { type: 'result'; id: string; status: 'completed'; result: InferenceResponse; timings: PredictionTimings }
  | { type: 'result'; id: string; status: 'failed' | 'expired'; error: { code: ErrorCode; message: string }; timings: PredictionTimings };

/** Server → client: a message could not be handled; the socket stays open. */
export interface WsErrorMessage {
  type: 'error';
  ref?: string;
  id?: string;
  error: { code: ErrorCode; message: string };
  /** With `RATE_LIMITED`: milliseconds until a `predict` is accepted again. */
  retryAfterMs?: number;
}

export type WsServerMessage = WsAcceptedMessage | WsResultMessage | WsErrorMessage;
