/**
 * `node --import tsx bench/shadow-throughput.ts [--seconds 5] [--rounds 3] [--clients 32] [--rate 0]`: what
 * mirroring 100 % of iris traffic to a shadow version costs the primary, in the same run.
 * The real service (API + 1 worker process + local redis-server) serves iris versions 1 and 2
 * (the same model files); clients predict over the WebSocket in a closed loop. Rounds alternate
 * (ABBA) between the policy `routes: [v1 100]` (off) and the same with `shadow: {v2, 100 %}` (on);
 * before each round the shadow backlog of the previous one is drained, so each round pays for its
 * own mirrors only. Reported: primary predictions/s and p50/p99 latency per mode (median of
 * rounds) and the on/off throughput ratio. With `--rate N` the load is an open loop of N
 * requests/s instead (below saturation: what mirroring costs the primary's latency).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis } from '@inferq/redis';
import { closedLoop, openLoop } from './lib/load.js';
import { median, type LoadResult } from './lib/stats.js';
import { waitFor } from './lib/processes.js';
import { startStack } from './scenarios/ours.js';
import { MODELS_DIR, workloads } from './lib/workloads.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, clients: { type: 'string', default: '32' }, rate: { type: 'string', default: '0' } } });
const rate = Number(values.rate);
const durationMs = Number(values.seconds) * 1000;
const rounds = Number(values.rounds);
const clients = Number(values.clients);

const dir = mkdtempSync(join(tmpdir(), 'inferq-bench-shadow-'));
const models = join(dir, 'models');
cpSync(join(MODELS_DIR, 'iris', '1'), join(models, 'iris', '1'), { recursive: true });
cpSync(join(MODELS_DIR, 'iris', '1'), join(models, 'iris', '2'), { recursive: true });
const server = await startEmbeddedRedis({ dir: join(dir, 'redis') });
const iris = workloads().find((w) => w.model === 'iris')!;
const stack = await startStack(server.url, 1, Math.max(1, availableParallelism() - 1), { MODEL_REPOSITORY: models, LOG_LEVEL: 'warn' });
try {
  const setPolicy = async (shadow: boolean) => {
    const res = await stack.http.send('PUT', '/v1/models/iris/traffic', JSON.stringify({
      routes: [{ version: 1, weight: 100 }], shadow: shadow ? { version: 2, percent: 100 } : null,
    }));
    if (res.status !== 200) throw new Error(`PUT traffic: ${res.status} ${res.body}`);
  };
  const shadowBacklog = async () => Number((await stack.redis.get(`${stack.keyPrefix}:queued-shadow:iris`)) ?? 0);
  const messages = iris.bodies.map((body) => stack.push.encodePredict('iris', body));
  let i = 0;
  const send = () => stack.push.predict(messages[i++ % messages.length]!);
  const results: Record<'off' | 'on', LoadResult[]> = { off: [], on: [] };
  const order: Array<'off' | 'on'> = [];
  for (let r = 0; r < rounds; r++) order.push(...(r % 2 === 0 ? ['off', 'on'] as const : ['on', 'off'] as const));
  await setPolicy(false);
  await closedLoop(send, clients, 1_000, 0); // warm-up
  let mirrored = 0;
  for (const mode of order) {
    await waitFor(async () => (await shadowBacklog()) === 0, 120_000, 'the shadow backlog to drain');
    await setPolicy(mode === 'on');
    const result = rate > 0 ? await openLoop(send, rate, durationMs) : await closedLoop(send, clients, durationMs);
    results[mode].push(result);
    if (mode === 'on') mirrored += result.completed;
    console.log(`round ${mode}: ${result.throughput.toFixed(0)} predictions/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, backlog after ${await shadowBacklog()}`);
  }
  await waitFor(async () => (await shadowBacklog()) === 0, 120_000, 'the shadow backlog to drain');
  const comparison = await stack.http.send('GET', '/v1/models/iris/versions/2/comparison?baseline=1');
  const m = (mode: 'off' | 'on', key: 'throughput' | 'p50' | 'p99') => median(results[mode].map((x) => x[key]));
  const load = rate > 0 ? `open loop at ${rate} requests/s` : `${clients} WebSocket clients, closed loop`;
  console.log(`\n# 100 % shadow on iris: ${load}, ${rounds * 2} rounds of ${durationMs / 1000} s (ABBA), 1 worker\n`);
  console.log('| mode | primary predictions/s | p50 ms | p99 ms |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const mode of ['off', 'on'] as const) console.log(`| shadow ${mode} | ${m(mode, 'throughput').toFixed(0)} | ${m(mode, 'p50').toFixed(1)} | ${m(mode, 'p99').toFixed(1)} |`);
  console.log(`\nratio on/off: ${(m('on', 'throughput') / m('off', 'throughput')).toFixed(3)} (cost ${((1 - m('on', 'throughput') / m('off', 'throughput')) * 100).toFixed(1)} %)`);
  console.log(`comparison after the run (≥ ${mirrored} mirrored in measured windows): ${comparison.body}`);
} finally {
  await stack.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
