import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { KEY_NAME_PATTERN } from '../auth/api-key.js';
import { SCOPES, type Scope } from '../auth/principal.js';

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

const errors = { '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' } };

/** The acting key's id for the audit log line (`anonymous` with access control off). */
const byWhom = (request: FastifyRequest) => (request.principal?.kind === 'key' ? request.principal.id : 'anonymous');

/**
 * `/v1/admin/keys`: create (the plaintext key is answered once), list and revoke API keys.
 * All need the `admin` scope (see auth/route-access.ts).
 */
export function apiKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['admin'];
  app.post<{ Body: { name: string; scopes: Scope[] } }>('/v1/admin/keys', {
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
    const { key, info } = await ctx.auth.keys.create(request.body.name, request.body.scopes);
    request.log.info({ keyId: info.id, name: info.name, scopes: info.scopes, by: byWhom(request) }, 'api key created');
    return reply.code(201).header('cache-control', 'no-store').send({ ...info, key });
  });

  app.get('/v1/admin/keys', {
    schema: { tags, summary: 'List API keys (never their hashes), revoked ones included', response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keyInfo } } }, ...errors } },
  }, async () => ({ keys: await ctx.auth.keys.list() }));

  app.delete<{ Params: { id: string } }>('/v1/admin/keys/:id', {
    schema: {
      tags,
      summary: 'Revoke an API key (idempotent); it stays listed with revokedAt',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 80 } } },
      response: { 200: keyInfo, ...errors },
    },
  }, async (request) => {
    const info = await ctx.auth.keys.revoke(request.params.id);
    request.log.info({ keyId: info.id, name: info.name, by: byWhom(request) }, 'api key revoked');
    return info;
  });
}
