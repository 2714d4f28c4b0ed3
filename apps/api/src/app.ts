import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { Logger } from '@inferq/logger';
import { ERROR_MESSAGE } from '@inferq/contract';
import type { ApiContext } from './api-context.js';
import { accessControlPlugin, API_KEY_SECURITY_SCHEMES } from './auth/access-control.js';
import { installBinaryBodyParser, installImageBodyParser } from './binary-body.js';
import { installClosingRefusal } from './closing-refusal.js';
import { installErrorHandling, sendError, toInferqError } from './error-handling.js';
import { installHttpSecurity } from './http-security.js';
import { installOpenAccessGuard } from './open-access-guard.js';
import { installConnectionCap, serverTimeoutOptions } from './server-timeouts.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { batchRoutes } from './batches/batch-routes.js';
import { scheduleRoutes } from './batches/schedule-routes.js';
import { deadLetterRoutes } from './routes/dead-letter-routes.js';
import { batchingRoutes } from './routes/batching-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { modelControlRoutes } from './routes/model-control-routes.js';
import { monitoringRoutes } from './routes/monitoring-routes.js';
import { predictionRoutes } from './routes/prediction-routes.js';
import { rolloutRoutes } from './routes/rollout-routes.js';
import { trafficRoutes } from './routes/traffic-routes.js';
import { v2Routes } from './routes/v2-routes.js';
import { wsRoutes } from './routes/ws-routes.js';
import { sharedSchemas } from './schemas.js';
import { servicesPlugin } from './services-plugin.js';

/**
 * Builds the Fastify app from its dependencies without listening, so tests can `inject`.
 * The services become decorators (services-plugin.ts); each route family is a plugin registered
 * under its prefix, and each route declares its access in `config.access` (docs/api.md, "Route
 * layout"): `/v1` (async REST, WebSocket, monitoring, dead letters, batching, `/v1/admin/keys`),
 * `/v2` (Open Inference Protocol), `/dashboard`, `/metrics`, `/openapi.json`.
 */
export async function buildApp(ctx: ApiContext, logger?: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: ctx.config.bodyLimitBytes,
    // Slow clients: request, header and keep-alive timeouts (server-timeouts.ts).
    ...serverTimeoutOptions(ctx.config),
    // Tensor values are validated by our own code with precise messages; ajv only checks structure.
    // The contract's schemas carry their field messages in an OpenAPI `x-` annotation (see @inferq/contract schema-validator.ts).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, keywords: [ERROR_MESSAGE] } },
    // One log line per request would dominate the log at thousands of predictions per second;
    // request counts and latencies are in /metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Requests during close get our own 503 API_SHUTTING_DOWN (closing-refusal.ts).
    return503OnClosing: false,
    // Room for the longest model name (MODEL_NAME_PATTERN allows 128); longer ones get our schema's 400.
    routerOptions: { maxParamLength: 256 },
    // Errors raised by the router (bad percent-encoding, over-long parameter) use the registry too.
    frameworkErrors: (error, request, reply) => {
      sendError(request, reply, toInferqError(error));
    },
  });
  installConnectionCap(app.server, ctx.config.maxConnectionsPerClient, (address) => {
    ctx.metrics.connectionsRefused.inc({ reason: 'connection_cap' });
    app.log.debug({ ip: address }, 'connection refused: MAX_CONNECTIONS_PER_CLIENT reached');
  });
  // Fastify parses text/plain by default; the API speaks JSON only (415 for anything else).
  app.removeContentTypeParser('text/plain');
  installBinaryBodyParser(app);
  installImageBodyParser(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'inferq',
        version: '0.1.0',
        description: 'Asynchronous, queue-based ONNX inference. Submit with POST (202 + Location), read by polling or long-polling, or over the WebSocket; Open Inference Protocol v2 routes wrap the queue synchronously.',
      },
      // Needed once any API key exists (see docs/api.md, "Access control"); open routes say security: [].
      components: { securitySchemes: API_KEY_SECURITY_SCHEMES },
      security: [{ bearer: [] }, { apiKeyHeader: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  for (const schema of sharedSchemas) app.addSchema(schema);
  await app.register(websocket, { options: { maxPayload: ctx.config.bodyLimitBytes } });

  installErrorHandling(app);
  installClosingRefusal(app);
  await installHttpSecurity(app, ctx.config);
  await app.register(servicesPlugin, { services: ctx });
  await app.register(accessControlPlugin);
  // After access control: it acts on requests that passed anonymously (access control off).
  installOpenAccessGuard(app, ctx.config);
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.countHttpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
  });

  await app.register(predictionRoutes, { prefix: '/v1' });
  await app.register(wsRoutes, { prefix: '/v1' });
  await app.register(monitoringRoutes, { prefix: '/v1' });
  await app.register(deadLetterRoutes, { prefix: '/v1' });
  await app.register(batchingRoutes, { prefix: '/v1' });
  await app.register(batchRoutes, { prefix: '/v1' });
  await app.register(scheduleRoutes, { prefix: '/v1' });
  await app.register(modelControlRoutes, { prefix: '/v1' });
  await app.register(rolloutRoutes, { prefix: '/v1' });
  await app.register(trafficRoutes, { prefix: '/v1' });
  await app.register(apiKeyRoutes, { prefix: '/v1/admin/keys' });
  await app.register(v2Routes, { prefix: '/v2' });
  await app.register(dashboardRoutes, { prefix: '/dashboard' });
  await app.register(metricsRoutes);
  // On close, answer pending long-polls and sync waits now (clients poll again, elsewhere or
  // after the restart) instead of holding the shutdown for up to MAX_WAIT_MS.
  app.addHook('preClose', async () => ctx.service.releaseWaits());
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async () => ({
    name: 'inferq', docs: '/openapi.json', metrics: '/metrics', models: '/v1/models', websocket: '/v1/ws', dashboard: '/dashboard',
  }));
  return app;
}
