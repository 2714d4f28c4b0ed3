import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { InferqError } from '@inferq/contract';

/** The dashboard's files: static, no build step, read once at start-up. */
const FILES: Readonly<Record<string, { type: string; path: string }>> = {
  'index.html': { type: 'text/html; charset=utf-8', path: 'index.html' },
  'dashboard.js': { type: 'text/javascript; charset=utf-8', path: 'dashboard.js' },
  'charts.js': { type: 'text/javascript; charset=utf-8', path: 'charts.js' },
  'figures.js': { type: 'text/javascript; charset=utf-8', path: 'figures.js' },
  'rollout-panel.js': { type: 'text/javascript; charset=utf-8', path: 'rollout-panel.js' },
  'dashboard.css': { type: 'text/css; charset=utf-8', path: 'dashboard.css' },
};

/**
 * The page's own policy replaces the API's `default-src 'none'`: scripts, styles and fetches from
 * this origin only (no inline script, no CDN).
 */
const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * `GET /dashboard` (and its script and style files): one page of charts over the JSON APIs.
 * Public: static files only; the data they fetch goes through the routes that need a key.
 */
export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const dir = new URL('../dashboard/', import.meta.url);
  const contents = new Map(Object.entries(FILES).map(([name, file]) => [name, { type: file.type, body: readFileSync(new URL(file.path, dir)) }]));
  const send = (name: string, reply: FastifyReply) => {
    const file = contents.get(name);
    if (!file) throw new InferqError('ROUTE_NOT_FOUND', `no dashboard file "${name.slice(0, 64)}"`);
    return reply.type(file.type).header('content-security-policy', DASHBOARD_CSP).header('cache-control', 'no-cache').send(file.body);
  };
  const options = { config: { access: 'public' as const }, schema: { hide: true } };
  app.get('/', { ...options, prefixTrailingSlash: 'no-slash' }, (_request, reply) => send('index.html', reply));
  app.get<{ Params: { file: string } }>('/:file', options, (request, reply) => send(request.params.file, reply));
};
