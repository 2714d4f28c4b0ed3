import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BatchingSettings, BatchingSettingsPatch, StringEnum } from '@inferq/contract';
import { typeboxValidatorCompiler } from '../typebox-validator-compiler.js';
import { errorResponses, modelVersionParams } from '../schemas.js';

/** The settings in force and where they come from. */
const settingsInForce = Type.Object({ ...BatchingSettings.properties, source: StringEnum(['config', 'runtime']) });

/**
 * Run-time batching settings per model version (Triton's dynamic batcher settings, changeable
 * without a restart): read (`read`), change or drop the change (`admin`). Workers apply a change
 * to their next batch. The PUT body is checked by the compiled `BatchingSettingsPatch` schema of
 * @inferq/contract, the one that holds every batching limit.
 */
export const batchingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const url = '/models/:model/versions/:version/batching';
  const tags = ['models'];
  const response = { 200: settingsInForce, ...errorResponses };
  app.get(url, { config: { access: 'read' }, schema: { tags, summary: 'Batching settings in force', params: modelVersionParams, response } },
    async (request) => app.batching.get(request.params.model, request.params.version));
  app.put(url, {
    config: { access: 'admin' },
    schema: {
      tags, summary: 'Change batching settings at run time (partial update; applies to the next batch of every worker)',
      params: modelVersionParams, body: BatchingSettingsPatch, response,
    },
    // Our compiled validator rather than ajv, for the messages the schema's fields carry.
    validatorCompiler: typeboxValidatorCompiler,
  }, async (request) => app.batching.update(request.params.model, request.params.version, request.body));
  app.delete(url, { config: { access: 'admin' }, schema: { tags, summary: 'Drop the run-time change: config.json applies again', params: modelVersionParams, response } },
    async (request) => app.batching.reset(request.params.model, request.params.version));
};
