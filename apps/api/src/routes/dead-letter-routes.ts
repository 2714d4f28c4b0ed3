import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InferqError, isPredictionId } from '@inferq/contract';
import { errorDetail, errorResponses, modelParams, predictionIdParams, refs } from '../schemas.js';

/** Most dead letters one listing returns. */
export const MAX_FAILED_LIMIT = 1_000;
const DEFAULT_FAILED_LIMIT = 50;

const failedListSchema = Type.Object({
  model: Type.String(),
  total: Type.Integer({ description: 'Failed jobs the queue keeps (7 days, at most 10 000 per model); a bundle job counts once.' }),
  failed: Type.Array(Type.Object({
    id: Type.String({ description: 'The prediction id.' }),
    job: Type.String({ description: 'The failed queue job: the prediction id, or that of the bundle it was coalesced into.' }),
    version: Type.String(),
    error: errorDetail,
    attemptsMade: Type.Integer(),
    failedAt: Type.Integer({ description: 'Epoch milliseconds.' }),
  })),
});

/**
 * Dead letters, under `/v1`: failed jobs (kept a week, bounded per model) listed for inspection
 * and re-queued with their original input. Operator routes: they need an `admin` key.
 */
export const deadLetterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/models/:model/failed', {
    config: { access: 'admin' },
    schema: {
      tags: ['dead letters'],
      summary: 'List the newest failed predictions of a model (dead letters)',
      params: modelParams,
      querystring: Type.Object({
        limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: `How many, newest first: 1–${MAX_FAILED_LIMIT} (default ${DEFAULT_FAILED_LIMIT}).` })),
      }),
      response: { 200: failedListSchema, ...errorResponses },
    },
  }, async (request) => {
    const limit = Number(request.query.limit ?? DEFAULT_FAILED_LIMIT);
    if (limit < 1 || limit > MAX_FAILED_LIMIT) throw new InferqError('INVALID_REQUEST', `limit must be in [1, ${MAX_FAILED_LIMIT}]`);
    return app.predictions.listFailed(request.params.model, limit);
  });

  app.post('/predictions/:id/retry', {
    config: { access: 'admin' },
    schema: {
      tags: ['dead letters'],
      summary: 'Re-queue a failed prediction with its original input (202 + Location, as a submit)',
      params: predictionIdParams,
      response: { 202: refs.accepted, ...errorResponses },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!isPredictionId(id)) throw new InferqError('INVALID_PREDICTION_ID', `"${id.slice(0, 64)}" is not a prediction id (22 base64url characters)`);
    const accepted = await app.predictions.retry(id);
    return reply.code(202).header('location', `/v1/predictions/${accepted.id}`).send(accepted);
  });
};
