/** Schedules under `/v1/schedules`: a cron expression that creates a batch from a URI each time it fires. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InferqError } from '@inferq/contract';
import { checkBatchUri, SCHEDULE_ID } from '@inferq/batch-jobs';
import { principalOf } from '../auth/access-control.js';
import { ownerOf, viewerOf } from '../auth/principal.js';
import { errorResponses } from '../schemas.js';
import { inputFormatOf, parseBatchOptions } from './batch-options.js';

const scheduleBody = Type.Object({
  id: Type.Optional(Type.String({ description: 'Schedule id (letters, digits, _ . -); a POST with an existing id replaces it. Default: generated.' })),
  cron: Type.String({ description: 'Cron expression: 5 fields, or 6 with seconds first.' }),
  model: Type.String({ maxLength: 128 }),
  version: Type.Optional(Type.String({ maxLength: 32 })),
  uri: Type.String({ maxLength: 2048 }),
  inputFormat: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  chunkSize: Type.Optional(Type.Integer()),
  priority: Type.Optional(Type.String()),
  webhook: Type.Optional(Type.String()),
  resultUri: Type.Optional(Type.String()),
}, { additionalProperties: false });

export const scheduleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/schedules', {
    config: { access: 'predict' },
    schema: { tags: ['batches'], summary: 'Create or replace a schedule that runs a batch over a URI', body: scheduleBody, response: errorResponses },
  }, async (request, reply) => {
    const body = request.body;
    const id = body.id ?? `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    if (!SCHEDULE_ID.test(id)) throw new InferqError('INVALID_REQUEST', '"id" must be 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit');
    const model = app.repository.resolve(body.model, body.version); // MODEL_NOT_FOUND / VERSION_NOT_FOUND now, not at the first firing
    if (model.pipeline) throw new InferqError('INVALID_BATCH_INPUT', `"${model.name}" is a pipeline: batch jobs run over models only`);
    checkBatchUri(body.uri, app.apiConfig.batches, 'input');
    const options = parseBatchOptions(body);
    const owner = ownerOf(principalOf(request));
    const schedule = await app.batchSchedules.upsert({
      id, cron: body.cron, model: model.name, uri: body.uri, inputFormat: inputFormatOf(body.inputFormat, body.uri.split('?')[0]),
      ...(body.version !== undefined ? { version: body.version } : {}),
      ...options,
      ...(owner !== undefined ? { owner } : {}),
    });
    return reply.code(201).header('location', `/v1/schedules/${id}`).send(schedule);
  });

  app.get('/schedules', {
    config: { access: 'read' },
    schema: { tags: ['batches'], summary: 'List the schedules', response: errorResponses },
  }, async (request) => {
    const viewer = viewerOf(principalOf(request));
    const schedules = await app.batchSchedules.list();
    return { schedules: viewer === undefined ? schedules : schedules.filter((s) => s.owner === viewer) };
  });

  app.delete('/schedules/:id', {
    config: { access: 'predict' },
    schema: { tags: ['batches'], summary: 'Delete a schedule (batches it created are kept)', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: errorResponses },
  }, async (request, reply) => {
    await app.batchSchedules.remove(request.params.id, viewerOf(principalOf(request)));
    return reply.code(204).send();
  });
};
