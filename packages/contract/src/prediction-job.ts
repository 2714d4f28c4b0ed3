/**
 * The BullMQ job payload that travels from the API to the workers.
 *
 * Tensors are carried as base64 of their little-endian bytes, never as JSON number arrays:
 * a 3×48×192 FP32 image is 110 KB of bytes (147 KB base64) against ~300 KB+ of JSON numbers,
 * and the worker decodes it without parsing a number per element.
 */
import type { Datatype } from './datatypes.js';
import type { TrafficRoute } from './traffic-policy.js';

/** One tensor in binary form. BYTES tensors carry a JSON array of strings instead. */
export interface EncodedTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  /** base64 of the little-endian element bytes (all datatypes but BYTES). */
  base64?: string;
  /** The element strings (BYTES only). */
  strings?: string[];
  /**
   * Claim check: the bytes are at `[offset, offset + length)` of the job's payload key instead of
   * inline, so large tensors are stored once as raw bytes and the BullMQ job stays small.
   */
  claim?: { offset: number; length: number };
}

/** Data of one prediction job. */
export interface PredictionJobData {
  /** Prediction id (also the BullMQ job id). */
  id: string;
  /** The caller's own request id from the v2 body, echoed in the response. */
  requestId?: string;
  model: string;
  version: string;
  inputs: EncodedTensor[];
  /** Outputs to return; all when absent. */
  outputs?: string[];
  /** Epoch ms when the API accepted the request. */
  createdAt: number;
  /** Redis key of the raw tensor bytes of inputs that carry a `claim` (claim check). */
  payloadKey?: string;
  /** Id of the API process that accepted it (each API observes its own requests' metrics). */
  origin: string;
  /**
   * Epoch ms after which the job must not start: a worker that takes it later records the
   * prediction as `expired` (DEADLINE_EXCEEDED) without running it. Absent = no deadline.
   */
  deadline?: number;
  /**
   * Prediction cache key (hex SHA-256, computed once by the API) when the version caches: the
   * worker stores a completed result under it (docs/cache.md).
   */
  cacheKey?: string;
  /** Why `version` serves it (traffic policy); absent in jobs queued before policies existed (= `default`/`pinned`). */
  route?: TrafficRoute;
  /** A shadow job: the id of the primary prediction it mirrors. Its outcome goes into the primary's record, never to a client. */
  shadowOf?: string;
}

/** The routing fields of a job as its record carries them (route, shadowOf), absent ones left out. */
export function jobRouting(job: Pick<PredictionJobData, 'route' | 'shadowOf'>): { route?: TrafficRoute; shadowOf?: string } {
  const fields: { route?: TrafficRoute; shadowOf?: string } = {};
  if (job.route !== undefined) fields.route = job.route;
  if (job.shadowOf !== undefined) fields.shadowOf = job.shadowOf;
  return fields;
}

/**
 * BullMQ priority of shadow jobs: after every client class (PRIORITY_CLASSES.low = 1000), so a
 * mirror never delays a primary.
 */
export const SHADOW_PRIORITY = 2_000;

/**
 * Named priority classes on BullMQ's scale (lower runs first, FIFO within one value). Every
 * prediction job carries one; `normal` is what a request that names none gets.
 */
export const PRIORITY_CLASSES = Object.freeze({ high: 1, normal: 500, low: 1000 });

/** The name of every prediction job. */
export const PREDICTION_JOB_NAME = 'predict';

/**
 * Name of a job that carries several predictions coalesced by the API (same model, version and
 * priority, arrived together). Each keeps its own id, record, result and push; the job is only
 * the unit of queue work, so many small predictions cost one BullMQ job.
 */
export const PREDICTION_BUNDLE_JOB_NAME = 'predict-bundle';

/** Data of a bundle job. */
export interface PredictionBundleData {
  bundle: PredictionJobData[];
}
