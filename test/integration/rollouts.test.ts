/**
 * Progressive rollouts end to end: real Redis, BullMQ, onnxruntime workers, the monitor driving
 * the state machine under its leader lock, the traffic policy store. Versions: iris 1 (baseline),
 * 2 (a healthy copy of 1) and 3 (the faulty iris of apps/tools/src/iris-faulty-model.ts: classes
 * swapped, fails on sepal_length > 7). The load names no version: the API routes it by the policy
 * the rollout writes and mirrors it to the candidate; the workers compare the pairs.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { redisKeys, type Rollout } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { MonitoringStore, repositoryVersionFacts, specOf, storeTrafficControl, TrafficPolicyStore } from '@inferq/predictions';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';
import type { Redis } from 'ioredis';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';
import { startMonitorApp, type MonitorApp } from '../../apps/monitor/src/monitor-app.js';
import { makeFaultyIrisModel } from '../../apps/tools/src/iris-faulty-model.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startAppProcess, waitUntil } from '../helpers/processes.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { UnpinnedLoad } from '../helpers/unpinned-load.js';

describe('progressive rollouts (real Redis, workers, monitor)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let repo: string;
  let monitor: MonitorApp;
  let client: Redis;
  let traffic: TrafficPolicyStore;
  let webhook: Server;
  const alerts: Array<Record<string, unknown>> = [];
  let monitorEnv: Record<string, string>;
  const logger = createLogger('test', 'silent');

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'inferq-rollouts-'));
    for (const version of ['1', '2']) cpSync(join(MODELS_DIR, 'iris/1'), join(repo, 'iris', version), { recursive: true });
    mkdirSync(join(repo, 'iris/3'), { recursive: true });
    writeFileSync(join(repo, 'iris/3/model.onnx'), makeFaultyIrisModel(readFileSync(join(MODELS_DIR, 'iris/1/model.onnx'))));
    cpSync(join(MODELS_DIR, 'iris/1/config.json'), join(repo, 'iris/3/config.json'));
    redis = await startTestRedis();
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => { alerts.push(JSON.parse(body) as Record<string, unknown>); response.end('ok'); });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    stack = await startInProcessStack(redis.url, { workers: 2, env: { MODEL_REPOSITORY: repo } });
    monitorEnv = {
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: repo, ROLLOUT_TICK_MS: '200', ROLLOUT_LEADER_TTL_MS: '2000',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`,
    };
    monitor = await startMonitorApp(loadMonitorConfig({ ...monitorEnv, MONITOR_ID: 'monitor-a' }), logger);
    client = createRedisConnection({ url: redis.url }, 'producer');
    await waitUntilReady(client, 10_000);
    traffic = new TrafficPolicyStore(client, redisKeys(stack.keyPrefix));
  });
  after(async () => {
    await monitor?.close();
    await stack?.close();
    await client?.quit();
    await new Promise((resolve) => webhook?.close(resolve));
    await redis?.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await stack.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: response.statusCode, body: response.json<Rollout & { error?: { code: string; message: string } }>() };
  };
  const baselinePolicy = async () => {
    const current = await traffic.get('iris');
    return traffic.put('iris', { routes: [{ version: '1', weight: 100 }], sticky: false, rules: [], shadow: null }, { ifMatch: current?.revision ?? 0, reason: 'test baseline' });
  };
  const waitForStatus = async (id: string, statuses: readonly string[], timeoutMs = 90_000): Promise<Rollout> => {
    let last: Rollout | undefined;
    await waitUntil(async () => {
      last = (await api('GET', `/v1/models/iris/rollouts/${id}`)).body;
      return statuses.includes(last.status);
    }, timeoutMs, `rollout ${id} reaching ${statuses.join('/')} (last: ${JSON.stringify(last && { status: last.status, step: last.step, reason: last.reason })})`, 100);
    return last!;
  };

  it('refuses bad rollout bodies with registry codes, never a 5xx, and changes nothing', async () => {
    const before = await baselinePolicy();
    const cases: Array<[unknown, number, string]> = [
      [{ version: 2, steps: [50, 25, 100] }, 400, 'INVALID_ROLLOUT'],
      [{ version: 2, steps: [10, 50] }, 400, 'INVALID_ROLLOUT'],
      [{ version: 2, steps: [10, 150] }, 400, 'INVALID_REQUEST'],
      [{ version: 2, steps: [] }, 400, 'INVALID_REQUEST'],
      [{ version: 2, steps: [10, 100], approval: [30] }, 400, 'INVALID_ROLLOUT'],
      [{ version: 2, steps: [10, 100], gates: { maxErrorRate: 2 } }, 400, 'INVALID_REQUEST'],
      [{ version: 2, steps: [10, 100], surprise: true }, 400, 'INVALID_REQUEST'],
      [{ version: 9, steps: [10, 100] }, 404, 'VERSION_NOT_FOUND'],
      [{ version: 1, steps: [10, 100] }, 400, 'INVALID_ROLLOUT'],
      [{ version: 'two', steps: [10, 100] }, 400, 'INVALID_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await api('POST', '/v1/models/iris/rollouts', body);
      assert.equal(answer.status, status, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error?.code, code, JSON.stringify(body));
    }
    assert.equal((await api('POST', '/v1/models/nope/rollouts', { version: 2, steps: [100] })).body.error?.code, 'MODEL_NOT_FOUND');
    assert.equal((await api('GET', '/v1/models/iris/rollouts/ro_doesnotexist1')).status, 404);
    assert.equal((await api('GET', '/v1/models/iris/rollouts/..%2Fx')).body.error?.code, 'ROLLOUT_NOT_FOUND');
    assert.equal((await traffic.get('iris'))?.revision, before.revision, 'no refused body wrote a policy');
    assert.deepEqual((await api('GET', '/v1/models/iris/rollouts')).body, { rollouts: [] });
  });

  it('walks a healthy version through every step (approval, pause/resume, a monitor restart) to 100 % without losing a prediction', async () => {
    await baselinePolicy();
    const load = new UnpinnedLoad(stack.app, traffic);
    load.start(4);
    try {
      const started = await api('POST', '/v1/models/iris/rollouts', {
        version: 2, steps: [10, 50, 100], stepSeconds: 1, approval: [50],
        gates: { maxErrorRate: 0.01, maxLatencyP95Ms: 60_000, minAgreement: 0.9, minSamples: 20 },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const id = started.body.id;
      assert.deepEqual({ status: started.body.status, step: started.body.step, weight: started.body.weight, baseline: started.body.baseline }, { status: 'running', step: 1, weight: 10, baseline: 1 });
      assert.deepEqual((await traffic.get('iris'))?.routes, [{ version: '1', weight: 90 }, { version: '2', weight: 10 }]);
      assert.deepEqual((await traffic.get('iris'))?.shadow, { version: '2', percent: 100 });

      // One active rollout per model.
      const second = await api('POST', '/v1/models/iris/rollouts', { version: 3, steps: [100] });
      assert.deepEqual([second.status, second.body.error?.code], [409, 'ROLLOUT_CONFLICT']);
      assert.equal((await api('POST', `/v1/models/iris/rollouts/${id}/approve`)).body.error?.code, 'ROLLOUT_STATE_CONFLICT');

      // Step 1 passes its gates; step 2 (50 %) needs approval.
      const waiting = await waitForStatus(id, ['waiting_approval', 'rolled_back', 'aborted']);
      assert.equal(waiting.status, 'waiting_approval', waiting.reason);
      assert.equal(waiting.weight, 10);
      const passed = waiting.history.find((e) => e.event === 'step' && e.figures);
      assert.ok(passed?.figures && passed.figures.samples >= 20 && passed.figures.pairs >= 20 && passed.figures.agreement === 1, JSON.stringify(passed));

      // Pause / resume keep the weights; approval applies step 2.
      assert.equal((await api('POST', `/v1/models/iris/rollouts/${id}/pause`)).body.status, 'paused');
      assert.equal((await api('POST', `/v1/models/iris/rollouts/${id}/pause`)).status, 409);
      assert.equal((await api('POST', `/v1/models/iris/rollouts/${id}/resume`)).body.status, 'waiting_approval');
      const approved = await api('POST', `/v1/models/iris/rollouts/${id}/approve`);
      assert.deepEqual([approved.body.status, approved.body.step, approved.body.weight], ['running', 2, 50]);

      // The driving monitor stops mid-rollout; another one takes over from Redis.
      await monitor.close();
      const stalled = (await api('GET', `/v1/models/iris/rollouts/${id}`)).body;
      monitor = await startMonitorApp(loadMonitorConfig({ ...monitorEnv, MONITOR_ID: 'monitor-b' }), logger);
      const done = await waitForStatus(id, ['succeeded', 'rolled_back', 'aborted']);
      assert.equal(done.status, 'succeeded', done.reason);
      assert.ok(stalled.step <= done.step);
      assert.equal(done.weight, 100);
      assert.deepEqual((await traffic.get('iris'))?.routes, [{ version: '2', weight: 100 }]);
      assert.equal((await traffic.get('iris'))?.shadow, null);
      assert.deepEqual(done.history.filter((e) => e.event === 'step' && e.revision !== undefined && !e.figures).map((e) => e.weight), [10, 50, 100]);
      // The weights in force while the load ran, revision by revision.
      const seen = [...load.ledger.revisions.values()].map((routes) => routes.find((r) => r.version === '2')?.weight ?? 0);
      for (const weight of [10, 50, 100]) assert.ok(seen.includes(weight), `load saw weight ${weight} (saw ${seen.join(', ')})`);
    } finally {
      await load.stop();
    }
    assert.ok(load.ledger.submitted > 0);
    assert.equal(load.ledger.completed + load.ledger.failed, load.ledger.submitted, 'every accepted prediction ended');
    assert.equal(load.ledger.failed, 0);
  });

  it('rolls a faulty version back at its first gate, restores the pre-rollout policy and raises an alert', async () => {
    const base = await baselinePolicy();
    const load = new UnpinnedLoad(stack.app, traffic);
    load.start(4);
    let rolledBack: Rollout;
    try {
      const started = await api('POST', '/v1/models/iris/rollouts', {
        version: 3, steps: [10, 50, 100], stepSeconds: 1, gates: { maxErrorRate: 0.02, minAgreement: 0.9, minSamples: 40 },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      rolledBack = await waitForStatus(started.body.id, ['rolled_back', 'succeeded', 'aborted']);
    } finally {
      await load.stop();
    }
    assert.equal(rolledBack.status, 'rolled_back');
    assert.equal(rolledBack.step, 1, `rolled back at its first step (${rolledBack.reason})`);
    assert.match(rolledBack.reason ?? '', /gate (maxErrorRate|minAgreement) failed/);
    const event = rolledBack.history.at(-1)!;
    assert.equal(event.event, 'rolled_back');
    assert.ok(event.gate && (event.gate.name === 'maxErrorRate' ? event.gate.value > 0.02 : event.gate.value < 0.9), JSON.stringify(event.gate));
    const now = await traffic.get('iris');
    assert.deepEqual(specOf(now!), specOf(base), 'the policy in force equals the pre-rollout revision');
    assert.equal(rolledBack.revision, now!.revision);
    assert.equal(load.ledger.completed + load.ledger.failed, load.ledger.submitted, 'every accepted prediction ended');
    // The alert: in the history and at the webhook.
    const history = await new MonitoringStore(client, redisKeys(stack.keyPrefix)).listAlerts({ limit: 10 });
    assert.ok(history.some((a) => a.rule.startsWith('rollout_rolled_back') && a.version === '3'), JSON.stringify(history));
    await waitUntil(async () => alerts.some((a) => String(a.rule).startsWith('rollout_rolled_back')), 20_000, 'the webhook received the rollback alert');
  });

  it('aborts on request (restoring traffic) and when traffic is changed outside the rollout', async () => {
    const base = await baselinePolicy();
    const first = await api('POST', '/v1/models/iris/rollouts', { version: 2, steps: [20, 100], stepSeconds: 3600, gates: { minSamples: 1 } });
    assert.equal(first.status, 201);
    const aborted = await api('POST', `/v1/models/iris/rollouts/${first.body.id}/abort`);
    assert.equal(aborted.body.status, 'aborted');
    assert.deepEqual(specOf((await traffic.get('iris'))!), specOf(base));
    assert.equal((await api('POST', `/v1/models/iris/rollouts/${first.body.id}/resume`)).status, 409);

    const second = await api('POST', '/v1/models/iris/rollouts', { version: 2, steps: [20, 100], stepSeconds: 3600, gates: { minSamples: 1 } });
    assert.equal(second.status, 201, 'a new rollout may start once the last ended');
    const current = await traffic.get('iris');
    await traffic.put('iris', { routes: [{ version: '1', weight: 70 }, { version: '2', weight: 30 }], sticky: false, rules: [], shadow: null }, { ifMatch: current!.revision, reason: 'a person' });
    const outside = await waitForStatus(second.body.id, ['aborted', 'rolled_back', 'succeeded'], 30_000);
    assert.equal(outside.status, 'aborted');
    assert.match(outside.reason ?? '', /traffic changed outside the rollout/);
    assert.deepEqual((await traffic.get('iris'))?.routes, [{ version: '1', weight: 70 }, { version: '2', weight: 30 }], 'the manual change is left in force');
    const listed = (await api('GET', '/v1/models/iris/rollouts')).body as unknown as { rollouts: Rollout[] };
    assert.equal(listed.rollouts[0]!.id, second.body.id);
  });

  it('continues a rollout after the monitor process driving it is killed (SIGKILL): another takes over once the leader lock lapses', async () => {
    await baselinePolicy();
    await monitor.close();
    const leaderKey = redisKeys(stack.keyPrefix).rolloutLeader;
    const driver = startAppProcess('apps/monitor/src/main.ts', { ...monitorEnv, MONITOR_ID: 'monitor-process', LOG_LEVEL: 'warn' });
    const load = new UnpinnedLoad(stack.app, traffic);
    try {
      await waitUntil(async () => (await client.get(leaderKey)) === 'monitor-process', 60_000, 'the monitor process to take the leader lock');
      load.start(4);
      const started = await api('POST', '/v1/models/iris/rollouts', { version: 2, steps: [10, 30, 60, 100], stepSeconds: 1, gates: { maxErrorRate: 0.01, minSamples: 10 } });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const id = started.body.id;
      await waitUntil(async () => (await api('GET', `/v1/models/iris/rollouts/${id}`)).body.step >= 2, 60_000, 'the process to drive the rollout to step 2');
      driver.child.kill('SIGKILL');
      await new Promise((resolve) => driver.child.once('exit', resolve));
      const orphaned = (await api('GET', `/v1/models/iris/rollouts/${id}`)).body;
      assert.equal(orphaned.status, 'running');
      assert.equal(await client.get(leaderKey), 'monitor-process', 'a killed leader does not release its lock');
      monitor = await startMonitorApp(loadMonitorConfig({ ...monitorEnv, MONITOR_ID: 'monitor-c' }), logger);
      const done = await waitForStatus(id, ['succeeded', 'rolled_back', 'aborted']);
      assert.equal(done.status, 'succeeded', done.reason);
      assert.ok(done.step === 4 && orphaned.step < 4, `continued from step ${orphaned.step}`);
      assert.equal(await client.get(leaderKey), 'monitor-c');
      assert.deepEqual(done.history.filter((e) => e.event === 'step' && !e.figures).map((e) => e.weight), [10, 30, 60, 100]);
    } finally {
      await load.stop();
      await driver.stop(5_000);
    }
    assert.equal(load.ledger.completed + load.ledger.failed, load.ledger.submitted, 'every accepted prediction ended');
  });

  it('rolls back when the candidate stops being READY mid-rollout', async () => {
    const base = await baselinePolicy();
    await monitor.close();
    // The monitor's view of version states, with version 2 switched off on demand (model control's unload).
    let unloaded = false;
    monitor = await startMonitorApp(loadMonitorConfig({ ...monitorEnv, MONITOR_ID: 'monitor-d' }), logger, {
      traffic: (connection) => {
        const real = storeTrafficControl(new TrafficPolicyStore(connection, redisKeys(stack.keyPrefix)), connection, redisKeys(stack.keyPrefix), repositoryVersionFacts(stack.services.repository));
        return { ...real, versionState: async (model, version) => (unloaded && version === 2 ? 'not_ready' : real.versionState(model, version)) };
      },
    });
    const started = await api('POST', '/v1/models/iris/rollouts', { version: 2, steps: [10, 100], stepSeconds: 3600, gates: { minSamples: 1 } });
    assert.equal(started.status, 201);
    unloaded = true;
    const done = await waitForStatus(started.body.id, ['rolled_back', 'aborted', 'succeeded'], 30_000);
    assert.equal(done.status, 'rolled_back');
    assert.match(done.reason ?? '', /version 2 is no longer READY \(not_ready\)/);
    assert.deepEqual(specOf((await traffic.get('iris'))!), specOf(base));
  });

  it('reports per-version live figures (requests, errors, latency, class shares)', async () => {
    const stats = await api('GET', '/v1/models/iris/versions/3/stats?window=600');
    const body = stats.body as unknown as { requests: number; errors: number; errorRate: number; latencyMs: { p95: number }; classShares: Record<string, number> };
    assert.equal(stats.status, 200);
    assert.ok(body.requests > 0 && body.errors > 0 && body.errorRate > 0 && body.errorRate < 1, JSON.stringify(body));
    assert.ok(body.latencyMs.p95 > 0);
    assert.ok(Object.keys(body.classShares).every((c) => ['setosa', 'versicolor', 'virginica'].includes(c)));
    const metrics = await stack.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /inferq_version_error_rate\{model="iris",version="3"\} /);
    // The latest rollout (the previous test's) was rolled back.
    assert.match(metrics.body, /inferq_rollout_status\{model="iris",version="2",status="rolled_back"\} 1/);
    assert.match(metrics.body, /inferq_rollout_status\{model="iris",version="2",status="succeeded"\} 0/);
    assert.match(metrics.body, /inferq_rollout_weight_percent\{model="iris",version="2"\} 0/);
  });
});
