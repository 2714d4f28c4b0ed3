/**
 * WebSocket messages on `GET /v1/ws`. Every message is one JSON text frame (or a binary frame:
 * uint32 LE length, the JSON message, then tensor bytes). Client messages are TypeBox schemas
 * checked by compiled validators; the `request` of a `predict` is the same `InferenceRequest`
 * schema the HTTP routes check their bodies with.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ErrorCode } from './error-codes.js';
import { InferenceRequest, type InferenceResponse } from './inference-protocol.js';
import type { PredictionTimings } from './prediction.js';
import { compileValidator, ERROR_MESSAGE } from './schema-validator.js';
import type { TrafficRoute } from './traffic-policy.js';

/** Most ids one `subscribe` message may name. */
export const MAX_SUBSCRIBE_IDS = 1_000;

/** Echoed in the answers so the client can match them; a non-string is ignored, not refused. */
const Ref = Type.Optional(Type.Unknown({ description: 'Echoed (first 256 characters) in the answers to this message.' }));

/** Client → server: submit a prediction; `ref` is echoed so the client can match the answer. */
export const WsPredictMessage = Type.Object({
  type: Type.Literal('predict'),
  model: Type.String({ [ERROR_MESSAGE]: 'must be a string' }),
  version: Type.Optional(Type.String({ [ERROR_MESSAGE]: 'must be a string' })),
  request: InferenceRequest,
  ref: Ref,
});
export type WsPredictMessage = Static<typeof WsPredictMessage> & { ref?: string };

/** Client → server: deliver the results of these ids (at once for those already finished). */
export const WsSubscribeMessage = Type.Object({
  type: Type.Literal('subscribe'),
  ids: Type.Array(Type.String(), { maxItems: MAX_SUBSCRIBE_IDS, [ERROR_MESSAGE]: `must be an array of at most ${MAX_SUBSCRIBE_IDS} strings` }),
  ref: Ref,
});
export type WsSubscribeMessage = Static<typeof WsSubscribeMessage> & { ref?: string };

export type WsClientMessage = WsPredictMessage | WsSubscribeMessage;

/** The compiled checks, one per message type. */
export const wsPredictValidator = compileValidator(WsPredictMessage);
export const wsSubscribeValidator = compileValidator(WsSubscribeMessage);

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
  | { type: 'result'; id: string; status: 'completed'; result: InferenceResponse; timings: PredictionTimings; version?: string; route?: TrafficRoute; cached?: true }
  | { type: 'result'; id: string; status: 'failed' | 'expired'; error: { code: ErrorCode; message: string }; timings: PredictionTimings; version?: string; route?: TrafficRoute };

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
