/** Shapes of the client's answers, built on the wire types of `@inferq/contract` (imported as types only). */
import type { ErrorCode, InferenceResponse, PredictionRecord, PredictionStatus, PredictionTimings, ResponseOutput } from '@inferq/contract';

/** A prediction that has ended: from a pushed result (WebSocket) or a read (REST). */
export type FinalPrediction =
  | { id: string; status: 'completed'; result: InferenceResponse; timings: PredictionTimings; model?: string; version?: string }
  | { id: string; status: Exclude<PredictionStatus, 'completed' | 'queued' | 'running'>; error: { code: ErrorCode; message: string }; timings: PredictionTimings; model?: string; version?: string };

/** What `predict` resolves with. */
export interface PredictionResult {
  /** The prediction id (usable with `get`). */
  id: string;
  /** The v2 response (`model_name`, `model_version`, `outputs`). */
  response: InferenceResponse;
  /** Outputs by name. */
  outputs: Record<string, ResponseOutput>;
  timings: PredictionTimings;
}

/** The record `GET /v1/predictions/{id}` answers. */
export type { PredictionRecord };

/** `202` answer to a submit: `completed` and `cached` when the server's prediction cache answered it at once. */
export interface Submitted {
  id: string;
  status: 'queued' | 'completed';
  model: string;
  version: string;
  cached?: boolean;
}

/** One API key as listed (never the key itself). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: Array<'predict' | 'read' | 'admin'>;
  source: 'config' | 'redis';
  createdAt?: number;
  revokedAt?: number;
}

/** A freshly created key: `key` is shown in this answer only. */
export interface CreatedApiKey extends ApiKeyInfo {
  key: string;
}

/** One dead letter, and `GET /v1/models/{model}/failed`: the wire types of `@inferq/contract`. */
export type { DeadLetter, DeadLetterList } from '@inferq/contract';

/** One model version as `GET /v1/models` lists it. */
export interface ModelVersionInfo {
  version: string;
  description?: string;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  labels?: string[];
  inputs: Array<{ name: string; datatype: string; shape: number[] }>;
  outputs: Array<{ name: string; datatype: string; shape: number[] }>;
}

/** `GET /v1/models`. */
export interface ModelInfo {
  name: string;
  versions: ModelVersionInfo[];
}
