import type { FastifyPluginAsync } from 'fastify';

/** `GET /metrics` in Prometheus text format: public unless METRICS_REQUIRE_AUTH (then `read`). */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', {
    config: { access: app.apiConfig.metricsRequireAuth ? 'read' : 'public' },
    schema: { tags: ['monitoring'], summary: 'Prometheus metrics' },
  }, async (_request, reply) => {
    const text = await app.metrics.registry.metrics();
    return reply.header('content-type', app.metrics.registry.contentType).send(text);
  });
};
