import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';

/** `GET /metrics` in Prometheus text format. */
export function metricsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/metrics', { schema: { tags: ['monitoring'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.header('content-type', ctx.metrics.registry.contentType).send(text);
  });
}
