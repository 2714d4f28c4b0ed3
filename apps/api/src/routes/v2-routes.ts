import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InferqError } from '@inferq/contract';
import { versionMetadata } from '@inferq/model-repository';
import { binaryOutputsRequested, sendBinary } from '../binary-reply.js';
import { principalOf } from '../auth/access-control.js';
import { ownerOf } from '../auth/principal.js';
import { resolveModelFirst } from '../resolve-model-first.js';
import { modelParams, modelVersionParams, refs, v2ErrorResponses } from '../schemas.js';

const SERVER_VERSION = '0.1.0';

/**
 * Protocol extensions served: `binary_tensor_data` is the binary data extension (inputs and
 * outputs as raw bytes after a JSON header, see docs/api.md).
 */
export const V2_EXTENSIONS = ['binary_tensor_data'] as const;

const serverMetadata = Type.Object({ name: Type.String(), version: Type.String(), extensions: Type.Array(Type.String()) });
const live = Type.Object({ live: Type.Boolean() });
const ready = Type.Object({ ready: Type.Boolean() });
const modelReady = Type.Object({ name: Type.String(), ready: Type.Boolean() });

/**
 * Open Inference Protocol v2 under `/v2`: health, metadata, readiness, and a synchronous `infer`
 * that queues the request like any other and waits for its result, so existing v2 clients work
 * unchanged. Health and readiness are public (orchestrators' probes carry no key).
 */
export const v2Routes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['open inference protocol v2'];
  const errors = v2ErrorResponses;

  app.get('/', { config: { access: 'public' }, prefixTrailingSlash: 'no-slash', schema: { tags, summary: 'Server metadata', response: { 200: serverMetadata } } },
    async () => ({ name: 'inferq', version: SERVER_VERSION, extensions: [...V2_EXTENSIONS] }));

  app.get('/health/live', { config: { access: 'public' }, schema: { tags, summary: 'Liveness: 200 while the process runs', response: { 200: live } } }, async () => ({ live: true }));

  app.get('/health/ready', {
    config: { access: 'public' },
    schema: { tags, summary: 'Readiness: 200 when Redis answers and models are loaded', response: { 200: ready, 503: ready } },
  }, async (_request, reply) => {
    const isReady = app.repository.modelNames().length > 0 && (await app.predictions.redisReady());
    return reply.code(isReady ? 200 : 503).send({ ready: isReady });
  });

  const metadata = async (model: string, version?: string) => {
    const found = app.repository.resolve(model, version);
    return versionMetadata(found, app.repository.versions(model));
  };
  const metaSchema = { tags, response: { 200: refs.modelMetadata, ...errors } };
  app.get('/models/:model', { config: { access: 'read' }, schema: { ...metaSchema, params: modelParams, summary: 'Model metadata (latest version)' } },
    async (request) => metadata(request.params.model));
  app.get('/models/:model/versions/:version', { config: { access: 'read' }, schema: { ...metaSchema, params: modelVersionParams, summary: 'Model version metadata' } },
    async (request) => metadata(request.params.model, request.params.version));

  // Ready = the version's state is READY: at least one live worker holds it (model control).
  const answerReady = async (model: string, version: string | undefined, reply: FastifyReply) => {
    const target = app.repository.resolve(model, version); // 404 when unknown
    const isReady = (await app.predictions.redisReady()) && (await app.modelControl.status(model, target.version)).state === 'READY';
    return reply.code(isReady ? 200 : 503).send({ name: model, ready: isReady });
  };
  // No 5xx error schema here: 503 is the not-ready answer itself.
  const readySchema = { tags, response: { 200: modelReady, 503: modelReady, '4xx': errors['4xx'] } };
  // Readiness probes of orchestrators carry no key; they tell whether a model is served, nothing more.
  app.get('/models/:model/ready', { config: { access: 'public' }, schema: { ...readySchema, params: modelParams, summary: 'Model readiness' } },
    (request, reply) => answerReady(request.params.model, undefined, reply));
  app.get('/models/:model/versions/:version/ready', { config: { access: 'public' }, schema: { ...readySchema, params: modelVersionParams, summary: 'Model version readiness' } },
    (request, reply) => answerReady(request.params.model, request.params.version, reply));

  const infer = async (model: string, version: string | undefined, request: FastifyRequest, reply: FastifyReply) => {
    let accepted;
    try {
      accepted = await app.predictions.submit(model, version, request.body, undefined, {
        owner: ownerOf(principalOf(request)), timeoutHeader: request.headers['request-timeout-ms'], headers: request.headers,
      });
    } catch (error) {
      if (error instanceof InferqError) app.metrics.rejected.inc({ code: error.code });
      throw error;
    }
    app.metrics.countSubmitted(accepted.model, accepted.version, 'v2');
    const { syncTimeoutMs } = app.apiConfig;
    const record = await app.predictions.waitForFinal(accepted.id, syncTimeoutMs);
    if (record.status === 'completed' && record.result) {
      const binary = binaryOutputsRequested(request.body);
      return binary ? sendBinary(reply, record.result, binary) : reply.send(record.result);
    }
    // failed: the model's error; expired: DEADLINE_EXCEEDED (the request's timeout passed before it ran).
    if ((record.status === 'failed' || record.status === 'expired') && record.error) throw new InferqError(record.error.code, record.error.message);
    void reply.header('location', `/v1/predictions/${accepted.id}`);
    throw new InferqError('INFERENCE_TIMEOUT', `no result within ${syncTimeoutMs} ms; the prediction ${accepted.id} is still ${record.status} and can be read at /v1/predictions/${accepted.id}`);
  };
  const inferSchema = { tags, body: refs.inferenceRequest, response: { 200: refs.inferenceResponse, ...errors } };
  app.post('/models/:model/infer', {
    config: { access: 'predict' }, preValidation: resolveModelFirst,
    schema: { ...inferSchema, params: modelParams, summary: 'Synchronous inference (latest version)' },
  }, (request, reply) => infer(request.params.model, undefined, request, reply));
  app.post('/models/:model/versions/:version/infer', {
    config: { access: 'predict' }, preValidation: resolveModelFirst,
    schema: { ...inferSchema, params: modelVersionParams, summary: 'Synchronous inference on one version' },
  }, (request, reply) => infer(request.params.model, request.params.version, request, reply));
};
