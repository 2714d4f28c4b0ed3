/**
 * Access control for every route, in one `onRequest` hook (before the body is read, so a caller
 * without a key cannot make the API parse 16 MiB): route policy → API key → scope → rate limit.
 * The key is read from `Authorization: Bearer <key>` or `X-API-Key: <key>`; the WebSocket route
 * also takes `?api_key=<key>` because browsers cannot set headers on a WebSocket.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { InferqError } from '@inferq/contract';
import type { ApiKeyStore } from './key-store.js';
import { ANONYMOUS, hasScope, type Principal, type Scope } from './principal.js';
import type { RateLimiter } from './rate-limiter.js';
import { neededAccess, type Access } from './route-access.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null only on public routes. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route's declared access, `"METHOD /url" → access`, for audit (HEAD and OPTIONS left out). */
    routeAccess(): ReadonlyMap<string, Access>;
  }
}

/** The access-control services the routes share. */
export interface AccessControl {
  keys: ApiKeyStore;
  limiter: RateLimiter;
}

/** `RATE_LIMITED`, with the time until the next request would pass. */
export class RateLimitedError extends InferqError {
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number, perSecond: number, what = 'predictions') {
    super('RATE_LIMITED', `more than ${perSecond} ${what} per second; retry in ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The caller of a protected route (the hook has set it); throws if a route forgot its policy entry. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new InferqError('INTERNAL_ERROR', `route ${request.routeOptions.url ?? ''} reads the caller but declares config.access 'public'`);
  return request.principal;
}

/** Throws FORBIDDEN unless the principal holds `scope`. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal, scope)) {
    throw new InferqError('FORBIDDEN', `this API key ("${principal.kind === 'key' ? principal.name : ''}") lacks the "${scope}" scope`);
  }
}

/**
 * Counts one prediction against the caller's rate limit (per key; per client address with access
 * control off); throws RateLimitedError when over it.
 */
export async function admitPrediction(access: AccessControl, principal: Principal, clientAddress: string): Promise<void> {
  return admitRequest(access, principal, clientAddress, 'predictions');
}

/**
 * Counts one request of another kind (a WebSocket `subscribe`) against the same budget, so a
 * flood of them costs the sender its rate like predictions do; `what` names it in the error.
 */
export async function admitRequest(access: AccessControl, principal: Principal, clientAddress: string, what: string): Promise<void> {
  if (!access.limiter.enabled) return;
  const subject = principal.kind === 'key' ? `key:${principal.id}` : `ip:${clientAddress}`;
  const waitMs = await access.limiter.take(subject);
  if (waitMs > 0) throw new RateLimitedError(waitMs, access.limiter.limit.perSecond, what);
}

/** The presented key, or undefined. Only the WebSocket route reads the query string. */
function credentialOf(request: FastifyRequest, allowQuery: boolean): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    return match?.[1] ?? '';
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header.trim();
  if (allowQuery) {
    const query = request.query as Record<string, unknown> | undefined;
    if (typeof query?.api_key === 'string') return query.api_key;
  }
  return undefined;
}

/** Answers 401 with the challenge header; logs the refusal (never the key). */
function unauthorized(request: FastifyRequest, reply: FastifyReply, reason: 'missing' | 'invalid', message: string): never {
  request.log.debug({ route: request.routeOptions.url, ip: request.ip, reason }, 'api key refused');
  void reply.header('www-authenticate', 'Bearer realm="inferq"');
  throw new InferqError('UNAUTHORIZED', message);
}

/** The OpenAPI security schemes of the two headers (the WebSocket's `?api_key=` is documented in docs/api.md). */
export const API_KEY_SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
} as const;

/**
 * The access-control plugin: checks at start-up that every route declares `config.access`
 * (see route-access.ts), and installs the `onRequest` hook that enforces it. Register it (with
 * fastify-plugin semantics: not encapsulated) before the routes.
 */
export const accessControlPlugin = fp(async (app) => {
  const access = app.accessControl;
  const declared = new Map<string, Access>();
  app.decorate('routeAccess', () => declared);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
    if (methods.length === 0) return;
    const needed = route.config?.access;
    if (needed === undefined) throw new Error(`route ${methods.join(',')} ${route.url} declares no config.access (public, authenticated, predict, read or admin)`);
    for (const method of methods) declared.set(`${method} ${route.url}`, needed);
    // The OpenAPI document marks the open routes as needing no key.
    if (needed === 'public' && route.schema) route.schema = { ...route.schema, security: [] };
  });
  app.addHook('onRequest', async (request, reply) => {
    const needed = neededAccess(request.method, request.routeOptions.url, request.routeOptions.config.access);
    if (needed === 'public') return;
    let principal: Principal = ANONYMOUS;
    if (await access.keys.enabled()) {
      const presented = credentialOf(request, request.routeOptions.url === '/v1/ws');
      if (presented === undefined) unauthorized(request, reply, 'missing', 'an API key is required: send "Authorization: Bearer <key>"');
      const found = await access.keys.authenticate(presented);
      if (!found) unauthorized(request, reply, 'invalid', 'the API key is not valid (unknown, revoked or malformed)');
      principal = found;
    }
    request.principal = principal;
    if (needed === 'authenticated') return;
    if (!hasScope(principal, needed)) request.log.debug({ route: request.routeOptions.url, keyId: principal.kind === 'key' ? principal.id : undefined, needed }, 'api key lacks scope');
    requireScope(principal, needed);
    if (needed === 'predict') {
      try {
        await admitPrediction(access, principal, request.ip);
      } catch (error) {
        if (error instanceof RateLimitedError) {
          request.log.debug({ route: request.routeOptions.url, keyId: principal.kind === 'key' ? principal.id : undefined, retryAfterMs: error.retryAfterMs }, 'rate limited');
          void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1_000))));
        }
        throw error;
      }
    }
  });
}, { name: 'inferq-access-control', dependencies: ['inferq-services'] });
