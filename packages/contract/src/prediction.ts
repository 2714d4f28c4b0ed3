/**
 * A prediction as clients see it (`GET /v1/predictions/:id`, WebSocket results) and as the
 * worker stores it: TypeBox schemas (the HTTP answers' schemas) and their static types.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import { InferenceResponse } from './inference-protocol.js';
import { StringEnum } from './schema-validator.js';
import { ShadowOutcome, TrafficRouteSchema } from './traffic-policy.js';

/**
 * Life cycle: queued → running → completed | failed, or queued → expired when the request's
 * deadline passed before a worker took it. Transitions only move forward (the store enforces it
 * in Redis): a re-run never turns a final record back into `running`, and a final record is
 * never overwritten, except by an explicit retry of a failed prediction (failed → queued).
 */
export type PredictionStatus = 'queued' | 'running' | 'completed' | 'failed' | 'expired';

/** Statuses after which nothing changes. */
export const FINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set(['completed', 'failed', 'expired']);

/** `{ code, message }` of the error-code registry, as answered and stored. */
export const ErrorDetail = Type.Object({
  code: StringEnum(Object.keys(ERROR_CODES) as ErrorCode[]),
  message: Type.String(),
});
export type ErrorDetail = Static<typeof ErrorDetail>;

/** Where the time of one pipeline step went; model steps say which micro-batch they ran in. */
export const StepTiming = Type.Object({
  id: Type.String(),
  kind: StringEnum(['model', 'processor', 'module']),
  /** From the step's start (its inputs ready) to its outputs, ms; a model step includes its wait for a batch. */
  ms: Type.Number(),
  /** Model steps: rows in the batch the step ran in (its own rows included). */
  batchSize: Type.Optional(Type.Integer()),
  /** Model steps: requests (pipeline steps and plain predictions) that shared that batch. */
  batchRequests: Type.Optional(Type.Integer()),
});
export type StepTiming = Static<typeof StepTiming>;

/** Where the time of one prediction went, in milliseconds. */
export const PredictionTimings = Type.Object({
  /** From acceptance by the API until its batch started. */
  queueWaitMs: Type.Optional(Type.Number()),
  /** Wall time of the `session.run` call of the batch it ran in. */
  inferenceMs: Type.Optional(Type.Number()),
  /** From acceptance until the result was written. */
  totalMs: Type.Optional(Type.Number()),
  /** Rows in the batch this prediction ran in (its own rows included). */
  batchSize: Type.Optional(Type.Integer()),
  /** Number of requests that shared that batch. */
  batchRequests: Type.Optional(Type.Integer()),
  /** Pipelines: one entry per step, in the order they finished (docs/pipelines.md). */
  steps: Type.Optional(Type.Array(StepTiming)),
});
export type PredictionTimings = Static<typeof PredictionTimings>;

/** Which worker process computed the prediction, and on what device. */
export const WorkerIdentity = Type.Object({ id: Type.String(), device: Type.String() });
export type WorkerIdentity = Static<typeof WorkerIdentity>;

const PredictionStatusSchema = StringEnum(['queued', 'running', 'completed', 'failed', 'expired'], {
  description: 'expired: its timeout passed before a worker took it (error DEADLINE_EXCEEDED).',
});

/** The state of one prediction. */
export const PredictionRecord = Type.Object({
  id: Type.String(),
  status: PredictionStatusSchema,
  model: Type.String(),
  version: Type.String(),
  /** Epoch milliseconds when the API accepted it. */
  createdAt: Type.Integer({ description: 'Epoch milliseconds when accepted.' }),
  result: Type.Optional(Type.Ref(InferenceResponse)),
  error: Type.Optional(ErrorDetail),
  timings: PredictionTimings,
  worker: Type.Optional(WorkerIdentity),
  /** True when answered from the prediction cache (docs/cache.md): no worker ran it for this request. */
  cached: Type.Optional(Type.Boolean({ description: 'True when answered from the prediction cache: no worker ran it for this request.' })),
  /** Why `version` served it: `pinned` (named in the path), `rule`, `sticky`, `weight` (traffic policy) or `default`. */
  route: Type.Optional(TrafficRouteSchema),
  /** Set on a shadow prediction: the id of the primary it mirrors (its result is never pushed to a client). */
  shadowOf: Type.Optional(Type.String()),
  /** On a shadowed primary, once its shadow run ended: the shadow's version, status and result (REST only, never pushed). */
  shadow: Type.Optional(ShadowOutcome),
  /**
   * Id of the API key that submitted it; absent when access control was off. Read from the store
   * for ownership checks and never sent to clients (the HTTP answer's schema leaves it out).
   */
  owner: Type.Optional(Type.String()),
});
export type PredictionRecord = Static<typeof PredictionRecord>;

/** A prediction as answered over HTTP: the record without its owner. */
export const PredictionAnswer = Type.Omit(PredictionRecord, ['owner'], { $id: 'Prediction' });

/**
 * 202 answer to a submitted prediction: `queued`, or `completed` with `cached: true` when the
 * prediction cache answered it at once (its record is already final).
 */
export const PredictionAccepted = Type.Object({
  id: Type.String(), status: StringEnum(['queued', 'completed']), model: Type.String(), version: Type.String(),
  cached: Type.Optional(Type.Boolean()),
  route: Type.Optional(TrafficRouteSchema),
}, { $id: 'PredictionAccepted' });
export type PredictionAccepted = Static<typeof PredictionAccepted>;

/** What the worker publishes when a prediction ends: the record plus the accepting API's id. */
export interface PredictionFinalEvent extends PredictionRecord {
  origin?: string;
}
