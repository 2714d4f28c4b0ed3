import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InferqError } from '@inferq/contract';
import { versionMetadata } from '@inferq/model-repository';
import type { ApiContext } from '../api-context.js';
import { binaryOutputsRequested, sendBinary } from '../binary-reply.js';
import { principalOf } from '../auth/access-control.js';
import { ownerOf } from '../auth/principal.js';
import { modelParams, modelVersionParams } from '../schemas.js';

const SERVER_VERSION = '0.1.0';

/**
 * Open Inference Protocol v2: health, metadata, readiness, and a synchronous `infer` that queues
 * the request like any other and waits for its result, so existing v2 clients work unchanged.
 */
export function v2Routes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['open inference protocol v2'];
  const errors = { '4xx': { $ref: 'V2Error#' }, '5xx': { $ref: 'V2Error#' } };

  app.get('/v2', { schema: { tags, summary: 'Server metadata' } }, async () => ({ name: 'inferq', version: SERVER_VERSION, extensions: [] }));

  app.get('/v2/health/live', { schema: { tags, summary: 'Liveness: 200 while the process runs' } }, async () => ({ live: true }));

  app.get('/v2/health/ready', { schema: { tags, summary: 'Readiness: 200 when Redis answers and models are loaded' } }, async (_request, reply) => {
    const ready = ctx.repository.modelNames().length > 0 && (await ctx.service.redisReady());
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  const metadata = async (model: string, version?: string) => {
    const found = ctx.repository.resolve(model, version);
    return versionMetadata(found, ctx.repository.versions(model));
  };
  const metaSchema = { tags, params: modelParams, response: { 200: { $ref: 'ModelMetadata#' }, ...errors } };
  app.get<{ Params: { model: string } }>('/v2/models/:model', { schema: { ...metaSchema, summary: 'Model metadata (latest version)' } },
    async (request) => metadata(request.params.model));
  app.get<{ Params: { model: string; version: string } }>('/v2/models/:model/versions/:version', { schema: { ...metaSchema, params: modelVersionParams, summary: 'Model version metadata' } },
    async (request) => metadata(request.params.model, request.params.version));

  const ready = async (model: string, version: string | undefined, reply: FastifyReply) => {
    ctx.repository.resolve(model, version); // 404 when unknown
    const isReady = await ctx.service.redisReady();
    return reply.code(isReady ? 200 : 503).send({ name: model, ready: isReady });
  };
  app.get<{ Params: { model: string } }>('/v2/models/:model/ready', { schema: { tags, params: modelParams, summary: 'Model readiness' } },
    (request, reply) => ready(request.params.model, undefined, reply));
  app.get<{ Params: { model: string; version: string } }>('/v2/models/:model/versions/:version/ready', { schema: { tags, params: modelVersionParams, summary: 'Model version readiness' } },
    (request, reply) => ready(request.params.model, request.params.version, reply));

  const infer = async (model: string, version: string | undefined, request: FastifyRequest, reply: FastifyReply) => {
    let accepted;
    try {
      accepted = await ctx.service.submit(model, version, request.body, undefined, {
        owner: ownerOf(principalOf(request)), timeoutHeader: request.headers['request-timeout-ms'],
      });
    } catch (error) {
      if (error instanceof InferqError) ctx.metrics.rejected.inc({ code: error.code });
      throw error;
    }
    ctx.metrics.submitted.inc({ model: accepted.model, version: accepted.version, transport: 'v2' });
    const record = await ctx.service.waitForFinal(accepted.id, ctx.config.syncTimeoutMs);
    if (record.status === 'completed' && record.result) {
      const binary = binaryOutputsRequested(request.body);
      return binary ? sendBinary(reply, record.result, binary) : reply.send(record.result);
    }
    // failed: the model's error; expired: DEADLINE_EXCEEDED (the request's timeout passed before it ran).
    if ((record.status === 'failed' || record.status === 'expired') && record.error) throw new InferqError(record.error.code, record.error.message);
    void reply.header('location', `/v1/predictions/${accepted.id}`);
    throw new InferqError('INFERENCE_TIMEOUT', `no result within ${ctx.config.syncTimeoutMs} ms; the prediction ${accepted.id} is still ${record.status} and can be read at /v1/predictions/${accepted.id}`);
  };
  const inferSchema = { tags, params: modelParams, body: { $ref: 'InferenceRequest#' }, response: { 200: { $ref: 'InferenceResponse#' }, ...errors } };
  app.post<{ Params: { model: string } }>('/v2/models/:model/infer', { schema: { ...inferSchema, summary: 'Synchronous inference (latest version)' } },
    (request, reply) => infer(request.params.model, undefined, request, reply));
  app.post<{ Params: { model: string; version: string } }>('/v2/models/:model/versions/:version/infer', { schema: { ...inferSchema, params: modelVersionParams, summary: 'Synchronous inference on one version' } },
    (request, reply) => infer(request.params.model, request.params.version, request, reply));
}
