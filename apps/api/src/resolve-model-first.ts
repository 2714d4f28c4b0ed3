import type { FastifyRequest } from 'fastify';
import { InferqError } from '@inferq/contract';
import { modelVersionParamsValidator } from './schemas.js';

/**
 * `preValidation` hook of the inference routes: an unknown model or version answers
 * MODEL_NOT_FOUND / VERSION_NOT_FOUND (404) before the body is checked, so a client that got the
 * name wrong is told that first, not that its body is invalid. Params the route's schema would
 * refuse (a name over the length limit) are left to that schema's INVALID_REQUEST.
 * Counted in `inferq_predictions_rejected_total` like the refusals of the handler.
 */
export async function resolveModelFirst(this: import('fastify').FastifyInstance, request: FastifyRequest): Promise<void> {
  const params = request.params as { model: string; version?: string };
  if (!modelVersionParamsValidator.check(params)) return;
  try {
    this.repository.resolve(params.model, params.version);
  } catch (error) {
    if (error instanceof InferqError) this.metrics.rejected.inc({ code: error.code });
    throw error;
  }
}
