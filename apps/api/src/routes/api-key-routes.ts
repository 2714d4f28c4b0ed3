import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { KEY_NAME_PATTERN } from '../auth/api-key.js';
import { SCOPES, type Scope } from '../auth/principal.js';
import { errorResponses as errors } from '../schemas.js';

const keyInfo = {
  type: 'object',
  required: ['id', 'name', 'scopes', 'source'],
  properties: {
    id: { type: 'string', description: '16 hex characters for created keys, `env:{name}` for configured ones.' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: SCOPES } },
    source: { type: 'string', enum: ['config', 'redis'] },
    createdAt: { type: 'integer', description: 'Epoch milliseconds.' },
    revokedAt: { type: 'integer', description: 'Epoch milliseconds; present once revoked.' },
  },
} as const;

/** The acting key's id for the audit log line (`anonymous` with access control off). */
const byWhom = (request: FastifyRequest) => (request.principal?.kind === 'key' ? request.principal.id : 'anonymous');

/**
 * API keys, under `/v1/admin/keys`: create (the plaintext key is answered once), list and revoke.
 * All need the `admin` scope.
 */
export const apiKeyRoutes: FastifyPluginAsync = async (app) => {
  const tags = ['admin'];
  const config = { access: 'admin' as const };
  app.post<{ Body: { name: string; scopes: Scope[] } }>('/', {
    config,
    prefixTrailingSlash: 'no-slash',
    schema: {
      tags,
      summary: 'Create an API key; the key itself is in this answer only',
      body: {
        type: 'object',
        required: ['name', 'scopes'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: KEY_NAME_PATTERN.source },
          scopes: { type: 'array', minItems: 1, maxItems: SCOPES.length, uniqueItems: true, items: { type: 'string', enum: SCOPES } },
        },
      },
      response: { 201: { ...keyInfo, required: [...keyInfo.required, 'key'], properties: { ...keyInfo.properties, key: { type: 'string' } } }, ...errors },
    },
  }, async (request, reply) => {
    const { key, info } = await app.accessControl.keys.create(request.body.name, request.body.scopes);
    request.log.info({ keyId: info.id, name: info.name, scopes: info.scopes, by: byWhom(request) }, 'api key created');
    return reply.code(201).header('cache-control', 'no-store').send({ ...info, key });
  });

  app.get('/', {
    config,
    prefixTrailingSlash: 'no-slash',
    schema: { tags, summary: 'List API keys (never their hashes), revoked ones included', response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keyInfo } } }, ...errors } },
  }, async () => ({ keys: await app.accessControl.keys.list() }));

  app.delete<{ Params: { id: string } }>('/:id', {
    config,
    schema: {
      tags,
      summary: 'Revoke an API key (idempotent); it stays listed with revokedAt',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 80 } } },
      response: { 200: keyInfo, ...errors },
    },
  }, async (request) => {
    const info = await app.accessControl.keys.revoke(request.params.id);
    request.log.info({ keyId: info.id, name: info.name, by: byWhom(request) }, 'api key revoked');
    return info;
  });
};
