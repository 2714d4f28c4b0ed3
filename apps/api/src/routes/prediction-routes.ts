import type { FastifyInstance } from 'fastify';
import { InferqError, isPredictionId } from '@inferq/contract';
import type { ApiContext } from '../api-context.js';
import { sendBinary } from '../binary-reply.js';
import { principalOf } from '../auth/access-control.js';
import { ownerOf, viewerOf } from '../auth/principal.js';
import { modelParams, modelVersionParams } from '../schemas.js';

/** The asynchronous REST API: submit (202 + Location) and poll / long-poll by id. */
export function predictionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const submitSchema = {
    tags: ['predictions'],
    params: modelParams,
    body: { $ref: 'InferenceRequest#' },
    response: { 202: { $ref: 'PredictionAccepted#' }, '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' } },
  };
  const submit = async (model: string, version: string | undefined, request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    try {
      const accepted = await ctx.service.submit(model, version, request.body, undefined, {
        owner: ownerOf(principalOf(request)), timeoutHeader: request.headers['request-timeout-ms'],
      });
      ctx.metrics.submitted.inc({ model: accepted.model, version: accepted.version, transport: 'rest' });
      return reply.code(202).header('location', `/v1/predictions/${accepted.id}`).send(accepted);
    } catch (error) {
      if (error instanceof InferqError) ctx.metrics.rejected.inc({ code: error.code });
      throw error;
    }
  };

  app.post<{ Params: { model: string } }>('/v1/models/:model/predictions', {
    schema: { ...submitSchema, summary: 'Queue a prediction on the latest version of a model' },
  }, (request, reply) => submit(request.params.model, undefined, request, reply));

  app.post<{ Params: { model: string; version: string } }>('/v1/models/:model/versions/:version/predictions', {
    schema: { ...submitSchema, params: modelVersionParams, summary: 'Queue a prediction on one version of a model' },
  }, (request, reply) => submit(request.params.model, request.params.version, request, reply));

  app.get<{ Params: { id: string }; Querystring: { wait?: string } }>('/v1/predictions/:id', {
    schema: {
      tags: ['predictions'],
      summary: 'Read a prediction; with ?wait=ms, hold the request until it ends or the wait runs out',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
      querystring: {
        type: 'object',
        properties: { wait: { type: 'string', pattern: '^[0-9]{1,9}$', description: `Long-poll milliseconds, capped at MAX_WAIT_MS (default ${ctx.config.maxWaitMs}).` } },
      },
      response: { 200: { $ref: 'Prediction#' }, '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' } },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!isPredictionId(id)) throw new InferqError('INVALID_PREDICTION_ID', `"${id.slice(0, 64)}" is not a prediction id (22 base64url characters)`);
    const wait = Math.min(Number(request.query.wait ?? 0), ctx.config.maxWaitMs);
    const viewer = viewerOf(principalOf(request));
    const record = wait > 0 ? await ctx.service.waitForFinal(id, wait, viewer) : await ctx.service.get(id, viewer);
    // `Accept: application/octet-stream` returns the outputs as raw bytes after a JSON header.
    if (record.result && request.headers.accept?.includes('application/octet-stream')) return sendBinary(reply, record, () => true);
    return record;
  });

  app.get('/v1/models', {
    schema: { tags: ['models'], summary: 'List the models and their versions with serving settings' },
  }, async () => ({
    models: ctx.repository.modelNames().map((name) => ({
      name,
      versions: ctx.repository.versions(name).map((v) => {
        const m = ctx.repository.resolve(name, v);
        return { version: v, description: m.description, maxBatchSize: m.maxBatchSize, maxQueueDelayMs: m.maxQueueDelayMs, labels: m.labels, inputs: m.inputs, outputs: m.outputs };
      }),
    })),
  }));
}
