/**
 * The monitor's heartbeat (issue 9 A.7, monitor half): a real monitor process killed with
 * SIGKILL, and an in-process monitor stopped cleanly, both flip `GET /v1/monitoring/status`
 * (`monitorHealth`) and the `inferq_monitor_up` gauge from up to down, with `downSince` set.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { MonitorHealth } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';
import { startMonitorApp } from '../../apps/monitor/src/monitor-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startAppProcess, waitUntil } from '../helpers/processes.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { parse } from 'yaml';
import { Redis } from 'ioredis';

describe('monitor heartbeat (status, metric, down since)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  const health = async (): Promise<MonitorHealth> => (await stack.app.inject({ method: 'GET', url: '/v1/monitoring/status' })).json().monitorHealth as MonitorHealth;
  const upGauge = async (): Promise<string | undefined> => /^inferq_monitor_up (\d)$/m.exec((await stack.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1];
  const env = () => ({ REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, MONITOR_HEARTBEAT_MS: '200' });

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 0 });
  });
  after(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('says never before any monitor ran, and the up gauge is 0', async () => {
    assert.deepEqual(await health(), { state: 'never', monitors: [], lastSeenAt: null, downSince: null });
    assert.equal(await upGauge(), '0');
  });

  it('flips to down when the monitor process is killed (SIGKILL: no clean stop)', async () => {
    const monitor = startAppProcess('apps/monitor/src/main.ts', env());
    try {
      await waitUntil(async () => (await health()).monitors.some((m) => m.pid === monitor.child.pid), 30_000, 'the monitor process heartbeat');
      const up = await health();
      assert.equal(up.state, 'up');
      assert.equal(up.downSince, null);
      assert.equal(up.monitors[0]!.intervalMs, 200);
      await waitUntil(async () => (await upGauge()) === '1', 10_000, 'inferq_monitor_up 1');
      monitor.child.kill('SIGKILL');
      await waitUntil(async () => (await health()).state === 'down', 10_000, 'status down after SIGKILL');
      const down = await health();
      assert.deepEqual(down.monitors, []);
      assert.ok(down.downSince !== null && down.downSince >= up.monitors[0]!.startedAt, JSON.stringify(down));
      await waitUntil(async () => (await upGauge()) === '0', 10_000, 'inferq_monitor_up 0');
    } finally {
      await monitor.stop(1_000);
    }
  });

  it('flips to down at once on a clean stop, and up again on a restart', async () => {
    const app = await startMonitorApp(loadMonitorConfig({ ...env(), MONITOR_ID: 'in-process' }), createLogger('monitor', 'silent'));
    let closed = false;
    try {
      const up = await health();
      assert.equal(up.state, 'up', 'the first heartbeat is written before start resolves');
      assert.deepEqual(up.monitors.map((m) => m.id), ['in-process']);
      await app.close();
      closed = true;
      const down = await health();
      assert.equal(down.state, 'down', 'a clean stop removes the heartbeat');
      assert.ok(down.downSince !== null && down.downSince >= up.lastSeenAt!);
    } finally {
      if (!closed) await app.close();
    }
  });

  it('reads monitor health from the registry, never scanning the keyspace (a record per prediction)', async () => {
    const app = await startMonitorApp(loadMonitorConfig({ ...env(), MONITOR_ID: 'registry' }), createLogger('monitor', 'silent'));
    const probe = new Redis(redis.url);
    try {
      // A keyspace like a busy service's: many prediction records next to the heartbeat.
      const filler = probe.pipeline();
      for (let i = 0; i < 20_000; i++) filler.set(`${stack.keyPrefix}:prediction:filler-${i}`, '1');
      await filler.exec();
      const scans = async () => Number(/cmdstat_scan:calls=(\d+)/.exec(await probe.info('commandstats'))?.[1] ?? 0);
      await health(); // the status also lists workers: with none, it scans for old ones once per 30 s
      const before = await scans();
      for (let i = 0; i < 5; i++) assert.equal((await health()).state, 'up');
      assert.equal(await scans(), before, 'no SCAN while the registry lists the monitor');
      assert.ok((await probe.zrange(`${stack.keyPrefix}:monitors`, 0, -1)).includes('registry'), 'listed (with the killed one, until pruned)');
      await app.close();
      assert.ok(!(await probe.zrange(`${stack.keyPrefix}:monitors`, 0, -1)).includes('registry'), 'a clean stop leaves the registry');
      assert.equal((await health()).state, 'down');
    } finally {
      await app.close();
      await probe.quit();
    }
  });

  it('ships an alert rule on the metric, and every metric the rules use is on /metrics', async () => {
    const rules = parse(readFileSync(new URL('../../docs/prometheus-alerts.yml', import.meta.url), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const all = rules.groups.flatMap((g) => g.rules);
    assert.equal(all.find((r) => r.alert === 'InferqMonitorDown')?.expr, 'inferq_monitor_up == 0');
    const exposed = new Set([...(await stack.app.inject({ method: 'GET', url: '/metrics' })).body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
    for (const rule of all) for (const [name] of rule.expr.matchAll(/\binferq_[a-z_]+/g)) assert.ok(exposed.has(name), `${rule.alert}: ${name} is not on /metrics`);
  });
});
