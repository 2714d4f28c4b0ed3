import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { modelVersionParams } from '../schemas.js';

const settingsSchema = {
  type: 'object',
  properties: {
    maxBatchSize: { type: 'integer', minimum: 1 },
    maxQueueDelayMs: { type: 'number', minimum: 0 },
    preferredBatchSizes: { type: 'array', items: { type: 'integer', minimum: 1 } },
    adaptive: { type: 'boolean' },
    source: { type: 'string', enum: ['config', 'runtime'] },
  },
} as const;

/**
 * Run-time batching settings per model version (Triton's dynamic batcher settings, changeable
 * without a restart): read, change (admin), or drop the change (admin). Workers apply a change to
 * their next batch.
 */
export function batchingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const url = '/v1/models/:model/versions/:version/batching';
  type Params = { Params: { model: string; version: string } };
  const tags = ['models'];
  app.get<Params>(url, { schema: { tags, summary: 'Batching settings in force', params: modelVersionParams, response: { 200: settingsSchema } } },
    async (request) => ctx.batching.get(request.params.model, request.params.version));
  app.put<Params>(url, {
    schema: {
      tags, summary: 'Change batching settings at run time (partial update; applies to the next batch of every worker)',
      params: modelVersionParams, body: { type: 'object' }, response: { 200: settingsSchema },
    },
  }, async (request) => ctx.batching.update(request.params.model, request.params.version, request.body));
  app.delete<Params>(url, { schema: { tags, summary: 'Drop the run-time change: config.json applies again', params: modelVersionParams, response: { 200: settingsSchema } } },
    async (request) => ctx.batching.reset(request.params.model, request.params.version));
}
