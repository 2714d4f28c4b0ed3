import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, InferqError, isPredictionId } from '@inferq/contract';
import type { ApiContext } from '../api-context.js';
import { modelParams } from '../schemas.js';

/** Most dead letters one listing returns. */
export const MAX_FAILED_LIMIT = 1_000;
const DEFAULT_FAILED_LIMIT = 50;

const failedListSchema = {
  type: 'object',
  required: ['model', 'total', 'failed'],
  properties: {
    model: { type: 'string' },
    total: { type: 'integer', description: 'Failed jobs the queue keeps (7 days, at most 10 000 per model); a bundle job counts once.' },
    failed: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'job', 'version', 'error', 'attemptsMade', 'failedAt'],
        properties: {
          id: { type: 'string', description: 'The prediction id.' },
          job: { type: 'string', description: 'The failed queue job: the prediction id, or that of the bundle it was coalesced into.' },
          version: { type: 'string' },
          error: {
            type: 'object', required: ['code', 'message'],
            properties: { code: { type: 'string', enum: Object.keys(ERROR_CODES) }, message: { type: 'string' } },
          },
          attemptsMade: { type: 'integer' },
          failedAt: { type: 'integer', description: 'Epoch milliseconds.' },
        },
      },
    },
  },
} as const;

/**
 * Dead letters: failed jobs (kept a week, bounded per model) listed for inspection and re-queued
 * with their original input. Operator routes: with access control on they need an `admin` key.
 */
export function deadLetterRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { model: string }; Querystring: { limit?: string } }>('/v1/models/:model/failed', {
    schema: {
      tags: ['dead letters'],
      summary: 'List the newest failed predictions of a model (dead letters)',
      params: modelParams,
      querystring: {
        type: 'object',
        properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `How many, newest first: 1–${MAX_FAILED_LIMIT} (default ${DEFAULT_FAILED_LIMIT}).` } },
      },
      response: { 200: failedListSchema, '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' } },
    },
  }, async (request) => {
    const limit = Number(request.query.limit ?? DEFAULT_FAILED_LIMIT);
    if (limit < 1 || limit > MAX_FAILED_LIMIT) throw new InferqError('INVALID_REQUEST', `limit must be in [1, ${MAX_FAILED_LIMIT}]`);
    return ctx.service.listFailed(request.params.model, limit);
  });

  app.post<{ Params: { id: string } }>('/v1/predictions/:id/retry', {
    schema: {
      tags: ['dead letters'],
      summary: 'Re-queue a failed prediction with its original input (202 + Location, as a submit)',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
      response: { 202: { $ref: 'PredictionAccepted#' }, '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' } },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!isPredictionId(id)) throw new InferqError('INVALID_PREDICTION_ID', `"${id.slice(0, 64)}" is not a prediction id (22 base64url characters)`);
    const accepted = await ctx.service.retry(id);
    return reply.code(202).header('location', `/v1/predictions/${accepted.id}`).send(accepted);
  });
}
