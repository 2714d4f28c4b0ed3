/**
 * `node --import tsx bench/traffic-routing.ts [--iterations 1000000] [--submits 3000]`: what a
 * traffic policy costs a request, in the same run.
 *   router       routeRequest (the pure function) in a tight loop: no policy, 90/10 weights,
 *                sticky with a routing key, 4 rules that do not match + weights, 100 % shadow
 *   decide       TrafficRouter.decide (the API's call in the submit path: cached policy, READY
 *                check, shadow draw) for the same policies
 *   submit       the whole in-process submit path (validation, record + job in Redis, 202), over
 *                Fastify inject against a local redis-server, without a policy and with one
 *                (weights + a rule), alternating rounds (ABBA) so machine noise and the growing queue hit
 *                both alike; no worker runs
 * ns per call (median of rounds) and the submit difference in µs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redisKeys, type TrafficPolicy } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { loadModelRepository } from '@inferq/model-repository';
import { routeRequest, TrafficPolicyStore, type RoutingInput } from '@inferq/predictions';
import { createRedisConnection, startEmbeddedRedis } from '@inferq/redis';
import { loadApiConfig } from '../apps/api/src/config.js';
import { createApiServices } from '../apps/api/src/api-services.js';
import { buildApp } from '../apps/api/src/app.js';
import { TrafficRouter } from '../apps/api/src/traffic/traffic-router.js';
import { median } from './lib/stats.js';
import { MODELS_DIR } from './lib/workloads.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '1000000' }, submits: { type: 'string', default: '3000' } } });
const iterations = Number(values.iterations);
const submits = Number(values.submits);
const ROUNDS = 5;

const base: TrafficPolicy = { revision: 7, routes: [{ version: '1', weight: 90 }, { version: '2', weight: 10 }], sticky: false, rules: [], shadow: null, updatedAt: 0 };
const policies: Array<[string, TrafficPolicy | undefined, RoutingInput]> = [
  ['no policy', undefined, { headers: {} }],
  ['weights 90/10', base, { headers: {} }],
  ['sticky, routing key', { ...base, sticky: true }, { headers: { 'x-routing-key': 'user-12345' } }],
  ['4 rules (no match) + weights', {
    ...base,
    rules: [
      { when: { header: { 'x-region': 'kr' } }, version: '2' },
      { when: { header: { 'x-tenant': ['acme', 'globex'] } }, version: '2' },
      { when: { parameter: { tier: ['beta', 'staff'] } }, version: '2' },
      { when: { parameter: { tier: 'x', region: 'eu' } }, version: '2' },
    ],
  }, { headers: { 'x-region': 'us', 'user-agent': 'bench' }, parameters: { tier: 'gold' } }],
  ['weights + 100 % shadow', { ...base, shadow: { version: '3', percent: 100 } }, { headers: {} }],
];

/** ns per call of `fn`, median of ROUNDS rounds of `n` calls. */
function nsPerCall(n: number, fn: (i: number) => unknown): number {
  const rounds: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (fn(i) !== undefined) sink++;
    rounds.push(Number(process.hrtime.bigint() - start) / n);
  }
  if (sink < 0) console.log(sink); // keep the results alive
  return median(rounds);
}

const dir = mkdtempSync(join(tmpdir(), 'inferq-bench-traffic-'));
const server = await startEmbeddedRedis({ dir });
try {
  console.log(`# traffic routing cost: ${iterations} calls × ${ROUNDS} rounds per policy, Node ${process.version}\n`);
  console.log('| policy | routeRequest ns | TrafficRouter.decide ns |');
  console.log('| --- | ---: | ---: |');
  // A repository with versions 1, 2 and 3 for the READY checks: the bundled iris three times is
  // not needed, the router only asks which versions exist; iris has one, so fake two more names.
  const { repository } = loadModelRepository(MODELS_DIR, ['iris']);
  const versions = ['1', '2', '3'];
  const fakeRepository = Object.assign(Object.create(repository) as typeof repository, {
    versions: () => versions, modelNames: () => ['iris'], resolve: () => repository.resolve('iris'),
  });
  const keys = redisKeys('bench-traffic');
  const redis = createRedisConnection(server.url, 'producer');
  const store = new TrafficPolicyStore(redis, keys);
  const router = new TrafficRouter(store, createRedisConnection(server.url, 'subscriber'), keys, fakeRepository, { refreshMs: 60_000 });
  await router.start();
  for (const [name, policy, input] of policies) {
    const pure = nsPerCall(iterations, () => routeRequest(policy, input));
    await store.purge('iris');
    if (policy) {
      const { revision: _r, updatedAt: _u, ...spec } = policy;
      await store.put('iris', spec);
    }
    await router.refreshModel('iris');
    const decide = nsPerCall(iterations, () => router.decide('iris', undefined, input));
    console.log(`| ${name} | ${pure.toFixed(0)} | ${decide.toFixed(0)} |`);
  }
  await router.close();
  await redis.quit();

  // The whole submit path, in process, alternating no policy / 90-10 (both versions are iris v1's files).
  const env = { REDIS_URL: server.url, KEY_PREFIX: 'bench-submit', MODEL_REPOSITORY: MODELS_DIR, MAX_QUEUE_SIZE: '10000000', COALESCE_MAX_PREDICTIONS: '1', LOG_LEVEL: 'silent' };
  const services = await createApiServices(loadApiConfig(env), createLogger('bench', 'silent'));
  const app = await buildApp(services);
  await app.ready();
  const body = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };
  const submitRound = async (): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < submits; i++) {
      const res = await app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: body });
      if (res.statusCode !== 202) throw new Error(res.body);
    }
    return Number(process.hrtime.bigint() - start) / 1000 / submits;
  };
  const withPolicy = { routes: [{ version: 1, weight: 100 }], rules: [{ when: { header: { 'x-region': 'kr' } }, version: 1 }], shadow: null };
  const none: number[] = [];
  const routed: number[] = [];
  await submitRound(); // warm-up
  const roundWith = async (policy: boolean) => {
    if (policy) await app.inject({ method: 'PUT', url: '/v1/models/iris/traffic', payload: withPolicy });
    else await app.inject({ method: 'DELETE', url: '/v1/models/iris/traffic' });
    (policy ? routed : none).push(await submitRound());
  };
  // ABBA order: the queue grows through the run, so neither variant always goes first.
  for (let r = 0; r < ROUNDS; r++) {
    await roundWith(r % 2 === 1);
    await roundWith(r % 2 === 0);
  }
  await app.close();
  await services.close();
  console.log(`\n| submit path (in process, ${submits} sequential submits × ${ROUNDS} alternating rounds) | µs per submit (median) |`);
  console.log('| --- | ---: |');
  console.log(`| no policy | ${median(none).toFixed(1)} |`);
  console.log(`| policy (weights + 1 rule) | ${median(routed).toFixed(1)} |`);
  console.log(`| difference | ${(median(routed) - median(none)).toFixed(1)} |`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
