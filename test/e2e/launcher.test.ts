/**
 * The quick start as a user runs it: `npm start` (the launcher) brings up an embedded Redis, the
 * API and workers, serves both bundled models, and Ctrl-C (SIGINT to the terminal's process
 * group) stops every child in order (API, workers, monitor, then Redis) without error lines.
 * More of the launcher's lifetimes (kill -9 of Redis, SIGKILL of the launcher, npm killed, a
 * second launcher, locked out) are in launcher-lifecycle.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '@inferq/redis';
import { waitUntil } from '../helpers/processes.js';
import { pidsOf, portOpen, startLauncher } from '../helpers/launcher-process.js';

describe('npm start (launcher)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'inferq-launcher-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits with install instructions when redis-server is not on PATH and REDIS_URL is unset', async () => {
    const env: Record<string, string> = { PATH: '/nonexistent', DATA_DIR: dataDir, PORT: String(await freePort()) };
    const launcher = startLauncher(env);
    const code = await Promise.race([launcher.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') launcher.child.kill('SIGKILL');
    assert.equal(code, 1);
    assert.match(launcher.output(), /redis-server was not found on PATH.*apt-get install redis-server/s);
  });

  it('starts Redis, the API, two workers and the monitor, serves both models, and stops everything in order on Ctrl-C', async () => {
    const port = await freePort();
    const launcher = startLauncher({ DATA_DIR: dataDir, PORT: String(port), WORKERS: '2', REDIS_URL: '', LOG_LEVEL: 'info' });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntil(async () => launcher.output().includes('inferq is ready'), 90_000, `the launcher to be ready:\n${launcher.output()}`);
      const redisPort = Number(/Redis at redis:\/\/127\.0\.0\.1:(\d+)/.exec(launcher.output())?.[1]);
      assert.ok(redisPort > 0);

      const iris = await fetch(`${base}/v2/models/iris/infer`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [6.7, 3.0, 5.2, 2.3] }] }),
      });
      assert.equal(iris.status, 200);
      const irisBody = await iris.json() as { outputs: Array<{ name: string; data: number[] }> };
      assert.deepEqual(irisBody.outputs.find((o) => o.name === 'label')?.data, [2]); // virginica

      const text = await fetch(`${base}/v2/models/text-orientation/infer`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: new Array(3 * 48 * 192).fill(0.5) }] }),
      });
      assert.equal(text.status, 200);
      const textBody = await text.json() as { outputs: Array<{ shape: number[]; data: number[] }> };
      assert.deepEqual(textBody.outputs[0]?.shape, [1, 2]);
      assert.ok(Math.abs(textBody.outputs[0]!.data[0]! + textBody.outputs[0]!.data[1]! - 1) < 1e-5);

      // The monitor (MONITOR defaults to on) publishes its settings when it starts.
      await waitUntil(async () => ((await (await fetch(`${base}/v1/monitoring/status`)).json()) as { monitor: unknown }).monitor !== null, 60_000, 'the monitor to start');

      assert.match(launcher.output(), /access {6}OFF: no API key configured or stored/, 'the banner says access control is off, and why');
      // onnxruntime telemetry is off in the workers though this test's environment does not say so.
      const workerPids = pidsOf(launcher, 'worker');
      assert.equal(workerPids.length, 2);
      for (const pid of workerPids) assert.equal(existsSync(`/tmp/mat-debug-${pid}.log`), false, `worker ${pid} wrote onnxruntime telemetry`);

      // One line per batch belongs at debug: none at the default info level.
      assert.equal(launcher.logs().filter((l) => l.msg === 'batch done').length, 0, 'no per-batch info lines');

      const stopFrom = launcher.logs().length;
      launcher.ctrlC();
      const code = await Promise.race([launcher.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
      assert.equal(code, 0, launcher.output().slice(-3000));
      assert.equal(await portOpen(port), false, 'API port closed');
      assert.equal(await portOpen(redisPort), false, 'embedded Redis stopped');

      // Quiet: Redis outlived its clients, so nobody logged a connection error or a timeout.
      const stopLogs = launcher.logs().slice(stopFrom);
      const noisy = stopLogs.filter((l) => Number(l.level) >= 40);
      assert.deepEqual(noisy, [], 'no warning or error while stopping');
      // In order: each app heard of the stop only when the launcher stopped it (its own process
      // group: the Ctrl-C reached the launcher alone), API first, then workers, then the monitor.
      const stoppedAt = (service: string) => stopLogs.filter((l) => l.service === service && l.msg === 'shutting down').map((l) => Number(l.time));
      const [api, workers, monitor] = [stoppedAt('api'), stoppedAt('worker'), stoppedAt('monitor')];
      assert.equal(api.length, 1);
      assert.equal(workers.length, 2);
      assert.equal(monitor.length, 1);
      for (const line of stopLogs.filter((l) => l.msg === 'shutting down')) {
        assert.equal(line.reason, line.service === 'launcher' ? 'SIGINT' : 'SIGTERM', `${String(line.service)} was stopped by the launcher, not by the Ctrl-C`);
      }
      assert.ok(api[0]! <= Math.min(...workers) && Math.max(...workers) <= monitor[0]!, `order api ${api} ≤ workers ${workers} ≤ monitor ${monitor}`);
      assert.ok(stopLogs.some((l) => l.service === 'launcher' && l.msg === 'stopped'));
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
    }
  });
});
