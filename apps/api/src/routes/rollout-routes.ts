import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InferqError, Rollout, RolloutRequest, VersionStats } from '@inferq/contract';
import { ROLLOUT_ID_PATTERN } from '@inferq/predictions';
import { typeboxValidatorCompiler } from '../typebox-validator-compiler.js';
import { errorResponses, MAX_MODEL_NAME, modelParams, modelVersionParams } from '../schemas.js';

const rolloutParams = Type.Object({ model: Type.String({ maxLength: MAX_MODEL_NAME }), id: Type.String({ maxLength: 64 }) });
const ACTIONS = ['approve', 'pause', 'resume', 'abort'] as const;
const ACTION_SUMMARIES: Record<(typeof ACTIONS)[number], string> = {
  approve: 'Apply the step waiting for approval',
  pause: 'Pause the rollout (weights stay; the step clock stops)',
  resume: 'Resume a paused rollout (the step clock and its samples start again)',
  abort: 'Abort the rollout and restore the traffic policy from before it',
};
const windowQuery = Type.Object({ window: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'Window, seconds (1 to 3600, default 60).' })) });

/**
 * Progressive rollouts (docs/rollouts.md), under `/v1`: start one (`admin`), read them (`read`),
 * approve / pause / resume / abort (`admin`), and the per-version live figures the gates read.
 * The state machine lives in Redis and is driven by the monitor holding the leader lock.
 */
export const rolloutRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['rollouts'];
  const known = (model: string) => {
    app.repository.versions(model); // MODEL_NOT_FOUND
  };
  const checkId = (id: string) => {
    if (!ROLLOUT_ID_PATTERN.test(id)) throw new InferqError('ROLLOUT_NOT_FOUND', `id: "${id.slice(0, 64)}" is not a rollout id`);
  };

  app.post('/models/:model/rollouts', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Start a progressive rollout of a version', params: modelParams, body: RolloutRequest, response: { 201: Rollout, ...errorResponses } },
    validatorCompiler: typeboxValidatorCompiler,
  }, async (request, reply) => {
    known(request.params.model);
    const rollout = await app.rollouts.start(request.params.model, request.body);
    return reply.code(201).header('location', `/v1/models/${encodeURIComponent(rollout.model)}/rollouts/${rollout.id}`).send(rollout);
  });

  app.get('/models/:model/rollouts', {
    config: { access: 'read' },
    schema: { tags, summary: "The model's rollouts, newest first", params: modelParams, response: { 200: Type.Object({ rollouts: Type.Array(Rollout) }), ...errorResponses } },
  }, async (request) => {
    known(request.params.model);
    return { rollouts: await app.rollouts.list(request.params.model) };
  });

  app.get('/models/:model/rollouts/:id', {
    config: { access: 'read' },
    schema: { tags, summary: 'A rollout: status, step, weight, reason, history', params: rolloutParams, response: { 200: Rollout, ...errorResponses } },
  }, async (request) => {
    known(request.params.model);
    checkId(request.params.id);
    return app.rollouts.get(request.params.model, request.params.id);
  });

  for (const action of ACTIONS) {
    app.post(`/models/:model/rollouts/:id/${action}`, {
      config: { access: 'admin' },
      schema: { tags, summary: ACTION_SUMMARIES[action], params: rolloutParams, response: { 200: Rollout, ...errorResponses } },
    }, async (request) => {
      known(request.params.model);
      checkId(request.params.id);
      return app.rollouts[action](request.params.model, request.params.id);
    });
  }

  app.get('/models/:model/versions/:version/stats', {
    config: { access: 'read' },
    schema: {
      tags, summary: 'Live figures of a version over a sliding window: requests/s, error rate, latency p50/p95/p99, class shares',
      params: modelVersionParams, querystring: windowQuery, response: { 200: VersionStats, ...errorResponses },
    },
  }, async (request) => {
    app.repository.resolve(request.params.model, request.params.version); // MODEL_NOT_FOUND / VERSION_NOT_FOUND
    const window = Math.min(3_600, Math.max(1, Number(request.query.window ?? 60)));
    return app.versionStats.window(request.params.model, request.params.version, window);
  });
};
