/**
 * `npm run demo:drift -- --url` (issue 9 B.6): the demo drives a stack that is already running
 * (here the real API listening on a free port, a worker and a monitor in this process) instead of
 * starting its own, so that stack's dashboard shows the drift and keeps it after the demo ends.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { WindowReport } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { freePort } from '@inferq/redis';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';
import { startMonitorApp, type MonitorApp } from '../../apps/monitor/src/monitor-app.js';
import { irisSampler } from '../helpers/iris-data.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { seededRandom } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WINDOW_SIZE = 20;

function demo(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'apps/tools/src/demo-drift.ts', ...args], { cwd: ROOT, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('demo:drift --url drives a running stack', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let monitor: MonitorApp;
  let base: string;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url);
    monitor = await startMonitorApp(loadMonitorConfig({
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, MONITOR_ID: 'demo-test', WINDOW_SIZE: String(WINDOW_SIZE),
    }), createLogger('monitor', 'silent'));
    base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    // Other traffic has half-filled the open window: the demo must top it up first.
    const sample = irisSampler(seededRandom(3));
    for (let i = 0; i < 7; i++) {
      const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: sample().features }] } });
      assert.equal(response.statusCode, 202);
    }
  });
  after(async () => {
    await monitor?.close();
    await stack?.close();
    await redis?.stop();
  });

  it('sends its windows to that stack, whose reports then show the drift', async () => {
    const { code, output } = await demo(['--url', base, '--unshifted', '2', '--shifted', '3']);
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`driving the running stack at ${base.replace(/[.]/g, '\\.')} \\(WINDOW_SIZE=${WINDOW_SIZE}\\)`));
    assert.match(output, /window \d+ \(shifted\): .*petal_length/);
    assert.match(output, new RegExp(`open ${base.replace(/[.]/g, '\\.')}/dashboard#iris%2F1`));
    // The running stack holds the windows: the top-up one, 2 unshifted and 3 shifted, the last drifted.
    const reports = (await stack.app.inject({ method: 'GET', url: '/v1/models/iris/versions/1/drift?limit=10' })).json().reports as WindowReport[];
    assert.equal(reports[0]!.window, 6, JSON.stringify(reports.map((r) => [r.window, r.rows])));
    assert.ok(reports.every((r) => r.rows === WINDOW_SIZE));
    assert.equal(reports[0]!.drift?.features.petal_length?.drifted, true);
    assert.equal(reports[0]!.drift?.features.petal_length?.persistent, true);
  });

  it('says so when nothing answers at the URL', async () => {
    const { code, output } = await demo(['--url', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(code, 1);
    assert.match(output, /no inferq API answers at http:\/\/127\.0\.0\.1:\d+/);
  });
});
