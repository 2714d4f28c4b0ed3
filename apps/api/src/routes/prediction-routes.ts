import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InferqError, isPredictionId, StringEnum, TensorMetadata } from '@inferq/contract';
import { sendBinary } from '../binary-reply.js';
import { principalOf } from '../auth/access-control.js';
import { ownerOf, viewerOf } from '../auth/principal.js';
import { resolveModelFirst } from '../resolve-model-first.js';
import { errorResponses, modelParams, modelVersionParams, predictionIdParams, refs } from '../schemas.js';

const modelList = Type.Object({
  models: Type.Array(Type.Object({
    name: Type.String(),
    versions: Type.Array(Type.Object({
      version: Type.String(),
      description: Type.Optional(Type.String()),
      maxBatchSize: Type.Integer(),
      maxQueueDelayMs: Type.Number(),
      labels: Type.Optional(Type.Array(Type.String())),
      inputs: Type.Array(Type.Composite([TensorMetadata, Type.Object({
        format: Type.Optional(StringEnum(['named-features', 'image'], { description: 'Pipelines: what each BYTES string holds (docs/pipelines.md).' })),
        featureNames: Type.Optional(Type.Array(Type.String())),
      })])),
      outputs: Type.Array(TensorMetadata),
    })),
  })),
});

/** The asynchronous REST API under `/v1`: submit (202 + Location) and poll / long-poll by id. */
export const predictionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const submitSchema = {
    tags: ['predictions'],
    body: refs.inferenceRequest,
    response: { 202: refs.accepted, ...errorResponses },
  };
  const submit = async (model: string, version: string | undefined, request: FastifyRequest, reply: FastifyReply) => {
    try {
      const accepted = await app.predictions.submit(model, version, request.body, undefined, {
        owner: ownerOf(principalOf(request)), timeoutHeader: request.headers['request-timeout-ms'], headers: request.headers,
      });
      app.metrics.countSubmitted(accepted.model, accepted.version, 'rest');
      return reply.code(202).header('location', `/v1/predictions/${accepted.id}`).send(accepted);
    } catch (error) {
      if (error instanceof InferqError) app.metrics.rejected.inc({ code: error.code });
      throw error;
    }
  };

  app.post('/models/:model/predictions', {
    config: { access: 'predict' },
    preValidation: resolveModelFirst,
    schema: { ...submitSchema, params: modelParams, summary: 'Queue a prediction on the latest version of a model' },
  }, (request, reply) => submit(request.params.model, undefined, request, reply));

  app.post('/models/:model/versions/:version/predictions', {
    config: { access: 'predict' },
    preValidation: resolveModelFirst,
    schema: { ...submitSchema, params: modelVersionParams, summary: 'Queue a prediction on one version of a model' },
  }, (request, reply) => submit(request.params.model, request.params.version, request, reply));

  app.get('/predictions/:id', {
    config: { access: 'read' },
    schema: {
      tags: ['predictions'],
      summary: 'Read a prediction; with ?wait=ms, hold the request until it ends or the wait runs out',
      params: predictionIdParams,
      querystring: Type.Object({
        wait: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: `Long-poll milliseconds, capped at MAX_WAIT_MS (default ${app.apiConfig.maxWaitMs}).` })),
      }),
      response: { 200: refs.prediction, ...errorResponses },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!isPredictionId(id)) throw new InferqError('INVALID_PREDICTION_ID', `"${id.slice(0, 64)}" is not a prediction id (22 base64url characters)`);
    const wait = Math.min(Number(request.query.wait ?? 0), app.apiConfig.maxWaitMs);
    const viewer = viewerOf(principalOf(request));
    const record = wait > 0 ? await app.predictions.waitForFinal(id, wait, viewer) : await app.predictions.get(id, viewer);
    // `Accept: application/octet-stream` returns the outputs as raw bytes after a JSON header.
    if (record.result && request.headers.accept?.includes('application/octet-stream')) return sendBinary(reply, record, () => true);
    return record;
  });

  app.get('/models', {
    config: { access: 'read' },
    schema: { tags: ['models'], summary: 'List the models and their versions with serving settings', response: { 200: modelList, ...errorResponses } },
  }, async () => ({
    models: app.repository.modelNames().map((name) => ({
      name,
      versions: app.repository.versions(name).map((v) => {
        const m = app.repository.resolve(name, v);
        // A pipeline's inputs say what their strings hold; otherwise it is listed as a model is.
        const inputs = m.pipeline ? m.pipeline.config.inputs : m.inputs;
        return { version: v, description: m.description, maxBatchSize: m.maxBatchSize, maxQueueDelayMs: m.maxQueueDelayMs, labels: m.labels, inputs, outputs: m.outputs };
      }),
    })),
  }));
};
