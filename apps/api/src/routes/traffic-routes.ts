import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { TrafficPolicy, TrafficPolicyBody } from '@inferq/contract';
import { principalOf } from '../auth/access-control.js';
import { ownerOf } from '../auth/principal.js';
import { parseIfMatch } from '../traffic/traffic-admin.js';
import { typeboxValidatorCompiler } from '../typebox-validator-compiler.js';
import { errorResponses, modelParams, modelVersionParams } from '../schemas.js';

/** A policy as answered (revision 0 = none written: the default version serves everything). */
const policyAnswer = Type.Object({ ...TrafficPolicy.properties, revision: Type.Integer({ minimum: 0 }) });
const history = Type.Object({ model: Type.String(), revisions: Type.Array(TrafficPolicy) });
const comparison = Type.Object({
  model: Type.String(), version: Type.String(), baseline: Type.Union([Type.String(), Type.Null()]),
  pairs: Type.Integer(), samples: Type.Integer(),
  agreement: Type.Union([Type.Number(), Type.Null()]), meanAbsDiff: Type.Union([Type.Number(), Type.Null()]),
  outputDrift: Type.Union([Type.Null(), Type.Object({
    baseline: Type.Record(Type.String(), Type.Number(), { description: "The baseline's share of rows per class." }),
    version: Type.Record(Type.String(), Type.Number(), { description: "The version's share of rows per class, on the same rows." }),
    totalVariation: Type.Number({ description: 'Total variation distance between the two: 0 = same distribution, 1 = disjoint.' }),
  })]),
});
const ifMatchHeader = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The revision (ETag) the change is based on: 412 PRECONDITION_FAILED when another change came first.' })) });

/**
 * Traffic policies (docs/rollouts.md, "Traffic policies"): weighted versions, sticky A/B, rules
 * and a shadow version, revisioned with history and one-call rollback. Changes need `admin`,
 * reads `read`. The PUT body is checked in full by checkTrafficPolicy (INVALID_TRAFFIC_POLICY /
 * VERSION_NOT_READY naming the field) before the one atomic write, so nothing is half-applied.
 */
export const trafficRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const url = '/models/:model/traffic';
  const tags = ['traffic'];
  const answer = (reply: FastifyReply, policy: { revision: number }) => reply.header('etag', `"${policy.revision}"`).send(policy);
  const change = (request: { headers: Record<string, string | string[] | undefined> }, principal: ReturnType<typeof principalOf>) => ({
    ifMatch: parseIfMatch(request.headers['if-match']), actor: ownerOf(principal),
  });

  app.get(url, {
    config: { access: 'read' },
    schema: { tags, summary: 'The traffic policy in force (revision 0: none, the default version serves)', params: modelParams, response: { 200: policyAnswer, ...errorResponses } },
  }, async (request, reply) => answer(reply, await app.traffic.get(request.params.model)));

  app.put(url, {
    config: { access: 'admin' },
    schema: {
      tags, summary: 'Replace the traffic policy (a new revision); If-Match guards against concurrent changes',
      params: modelParams, headers: ifMatchHeader, body: TrafficPolicyBody, response: { 200: TrafficPolicy, ...errorResponses },
    },
    // The body is checked by checkTrafficPolicy (its own code, INVALID_TRAFFIC_POLICY); params and headers by the contract's validator.
    validatorCompiler: (def) => (def.httpPart === 'body' ? (data: unknown) => ({ value: data }) : typeboxValidatorCompiler(def)),
  }, async (request, reply) => answer(reply, await app.traffic.put(request.params.model, request.body, change(request, principalOf(request)))));

  app.delete(url, {
    config: { access: 'admin' },
    schema: { tags, summary: 'Back to the default version (an empty policy, as a new revision)', params: modelParams, headers: ifMatchHeader, response: { 200: TrafficPolicy, ...errorResponses } },
  }, async (request, reply) => answer(reply, await app.traffic.clear(request.params.model, change(request, principalOf(request)))));

  app.get(`${url}/history`, {
    config: { access: 'read' },
    schema: {
      tags, summary: 'Revisions of the traffic policy, newest first',
      params: modelParams, querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'At most this many (default 20, at most 100).' })) }),
      response: { 200: history, ...errorResponses },
    },
  }, async (request) => ({ model: request.params.model, revisions: await app.traffic.history(request.params.model, Math.max(1, Math.min(Number(request.query.limit ?? 20), 100))) }));

  app.post(`${url}/rollback`, {
    config: { access: 'admin' },
    schema: { tags, summary: 'Restore the previous revision (as a new revision)', params: modelParams, headers: ifMatchHeader, response: { 200: TrafficPolicy, ...errorResponses } },
  }, async (request, reply) => answer(reply, await app.traffic.rollback(request.params.model, change(request, principalOf(request)))));

  app.get('/models/:model/versions/:version/comparison', {
    config: { access: 'read' },
    schema: {
      tags, summary: 'Agreement and mean absolute output difference of a version against a baseline, over shadowed pairs',
      params: modelVersionParams, querystring: Type.Object({ baseline: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$' })) }),
      response: { 200: comparison, ...errorResponses },
    },
  }, async (request) => app.traffic.comparison(request.params.model, request.params.version, request.query.baseline));
};
