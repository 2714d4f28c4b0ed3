/**
 * What each route needs, in one table so the whole policy can be read (and audited) at once.
 * A route missing from the table needs `admin`: new routes are closed until listed here. That is
 * how `/v1/admin/*`, the dead-letter routes (`GET /v1/models/:model/failed`,
 * `POST /v1/predictions/:id/retry`), changes to batching settings and reference samples, the
 * prediction log and feedback are protected.
 */
import type { Scope } from './principal.js';

/** `public`: no key; `authenticated`: any valid key (the WebSocket checks scopes per message). */
export type Access = 'public' | 'authenticated' | Scope;

const ROUTES: Readonly<Record<string, Access>> = {
  'GET /': 'public',
  'GET /openapi.json': 'public',
  'GET /v2': 'public',
  'GET /v2/health/live': 'public',
  'GET /v2/health/ready': 'public',
  // Readiness probes of orchestrators carry no key; they tell whether a model is served, nothing more.
  'GET /v2/models/:model/ready': 'public',
  'GET /v2/models/:model/versions/:version/ready': 'public',
  // Static page and scripts; the data they fetch goes through the routes below.
  'GET /dashboard': 'public',
  'GET /dashboard/:file': 'public',

  'POST /v1/models/:model/predictions': 'predict',
  'POST /v1/models/:model/versions/:version/predictions': 'predict',
  'POST /v2/models/:model/infer': 'predict',
  'POST /v2/models/:model/versions/:version/infer': 'predict',

  'GET /v1/predictions/:id': 'read',
  'GET /v1/models': 'read',
  'GET /v1/models/:model/versions/:version/batching': 'read',
  'GET /v2/models/:model': 'read',
  'GET /v2/models/:model/versions/:version': 'read',
  // Aggregates over all keys' traffic, no prediction contents (the prediction log is admin only).
  'GET /v1/models/:model/versions/:version/drift': 'read',
  'GET /v1/models/:model/versions/:version/series': 'read',
  'GET /v1/alerts': 'read',
  'GET /v1/monitoring/status': 'read',

  'GET /v1/ws': 'authenticated',
};

/** Builds the lookup; `/metrics` is public unless `metricsRequireAuth` (then it needs `read`). */
export function routeAccess(options: { metricsRequireAuth: boolean }): (method: string, url: string | undefined) => Access {
  const table = new Map(Object.entries(ROUTES));
  table.set('GET /metrics', options.metricsRequireAuth ? 'read' : 'public');
  return (method, url) => {
    // No route matched: the not-found answer tells nothing, and must not depend on a key.
    if (url === undefined) return 'public';
    // CORS preflights carry no credentials; @fastify/cors answers them before this check.
    if (method === 'OPTIONS') return 'public';
    return table.get(`${method === 'HEAD' ? 'GET' : method} ${url}`) ?? 'admin';
  };
}
