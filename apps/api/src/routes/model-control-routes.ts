import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { compileValidator, InferqError, StringEnum, VERSION_STATES, WORKER_VERSION_STATES } from '@inferq/contract';
import { errorResponses, modelParams, modelVersionParams } from '../schemas.js';

const versionStatus = Type.Object({
  version: Type.String(),
  state: StringEnum(VERSION_STATES),
  desired: StringEnum(['loaded', 'unloaded']),
  reason: Type.Optional(Type.String()),
  workers: Type.Record(Type.String(), StringEnum(WORKER_VERSION_STATES)),
  origin: StringEnum(['repository', 'registered']),
  sha256: Type.Optional(Type.String()),
});
const modelDescription = Type.Object({
  name: Type.String(),
  defaultVersion: Type.String(),
  versions: Type.Array(versionStatus),
  traffic: Type.Object({}, { additionalProperties: true }),
});
const registered = Type.Object({ model: Type.String(), version: Type.String(), state: StringEnum(VERSION_STATES) });

/** `POST .../versions` with a JSON body: the model file is fetched from `uri`. */
const registerByUri = compileValidator(Type.Object({
  uri: Type.String({ minLength: 1, maxLength: 2048 }),
  sha256: Type.Optional(Type.String()),
  config: Type.Optional(Type.Unknown()),
}, { additionalProperties: false }));

const registerQuery = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 32 })),
  /** With an octet-stream upload: the config as URL-encoded JSON. */
  config: Type.Optional(Type.String({ maxLength: 65_536 })),
});

/**
 * Model control under `/v1/models/:model`: read every version's state (`read`), register a new
 * version from an upload or a URI, load and unload versions (`admin`). The upload route streams
 * its body (never buffered whole): its own octet-stream parser hands the request stream on, and
 * MAX_MODEL_BYTES (not BODY_LIMIT_BYTES) bounds it.
 */
export const modelControlRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['model control'];
  // Encapsulated: the inference routes keep their binary-extension parser.
  app.removeContentTypeParser('application/octet-stream');
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.get('/models/:model', {
    config: { access: 'read' },
    schema: { tags, summary: 'A model\'s versions, their states and which workers hold them', params: modelParams, response: { 200: modelDescription, ...errorResponses } },
  }, async (request) => {
    const described = await app.modelControl.describe(request.params.model);
    // The policy in force (revision 0: none written), with the version unpinned requests get without one.
    return { ...described, traffic: { ...app.traffic.summary(described.name), defaultVersion: described.defaultVersion } };
  });

  app.post('/models/:model/versions', {
    config: { access: 'admin' },
    schema: {
      tags, params: modelParams, querystring: registerQuery,
      summary: 'Register a new version: the ONNX file as an application/octet-stream body (config in ?config=), or JSON {uri, sha256, config}',
      response: { 201: registered, ...errorResponses },
    },
  }, async (request, reply) => {
    const { model } = request.params;
    const { version } = request.query;
    const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let answer;
    if (type === 'application/octet-stream') {
      let config: unknown;
      if (request.query.config !== undefined) {
        try { config = JSON.parse(request.query.config); } catch { throw new InferqError('INVALID_REQUEST', 'query "config" is not valid JSON'); }
      }
      // An answer sent before the whole upload arrived (413, 400) ends the connection: the rest is not read.
      void reply.header('connection', 'close');
      answer = await app.modelControl.register(model, version, { kind: 'upload', body: request.body as Readable }, config);
    } else {
      const problem = registerByUri.explain(request.body);
      if (problem) throw new InferqError('INVALID_REQUEST', `body: ${problem.message}`);
      const body = request.body as { uri: string; sha256?: string; config?: unknown };
      answer = await app.modelControl.register(model, version, { kind: 'uri', uri: body.uri, ...(body.sha256 !== undefined ? { sha256: body.sha256 } : {}) }, body.config);
    }
    void reply.removeHeader('connection');
    return reply.code(201).header('location', `/v1/models/${encodeURIComponent(model)}`).send(answer);
  });

  const versionAction = { tags, params: modelVersionParams, response: { 200: versionStatus, ...errorResponses } };
  app.post('/models/:model/versions/:version/load', {
    config: { access: 'admin' }, schema: { ...versionAction, summary: 'Load a version (again) on every worker; it takes predictions once READY' },
  }, async (request) => app.modelControl.load(request.params.model, request.params.version));
  app.post('/models/:model/versions/:version/unload', {
    config: { access: 'admin' },
    schema: { ...versionAction, summary: 'Unload a version: no new predictions (409 VERSION_NOT_LOADED); queued ones finish, then workers release it' },
  }, async (request) => app.modelControl.unload(request.params.model, request.params.version));
};
