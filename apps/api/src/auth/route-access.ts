/**
 * What a route needs lives in its own `config` (`config: { access: 'predict' }`), next to its
 * handler, so the policy cannot drift from the routes. The access-control hook refuses to start
 * an app with a route that declares none; `app.routeAccess()` lists the whole policy for audit
 * (test/integration/access-control.test.ts compares it with the documented table).
 *
 * `/v1/admin/*`, the dead-letter routes, changes to batching settings and reference samples, the
 * prediction log and feedback need `admin`.
 */
import type { Scope } from './principal.js';

/** `public`: no key; `authenticated`: any valid key (the WebSocket checks scopes per message). */
export type Access = 'public' | 'authenticated' | Scope;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the caller needs; every route declares it (the app does not start otherwise). */
    access?: Access;
  }
}

/** The access a request needs: its route's `config.access`; unmatched requests and CORS preflights are public. */
export function neededAccess(method: string, url: string | undefined, declared: Access | undefined): Access {
  // No route matched: the not-found answer tells nothing, and must not depend on a key.
  if (url === undefined) return 'public';
  // CORS preflights carry no credentials; @fastify/cors answers them before this check.
  if (method === 'OPTIONS') return 'public';
  // Closed by default, should a route slip past the start-up check.
  return declared ?? 'admin';
}
