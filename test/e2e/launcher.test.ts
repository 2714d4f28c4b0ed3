/**
 * The quick start as a user runs it: `npm start` (the launcher) brings up an embedded Redis, the
 * API and workers, serves both bundled models, and Ctrl-C stops every child.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { freePort } from '@inferq/redis';
import { waitUntil } from '../helpers/processes.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function startLauncher(env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/launcher/src/main.ts'], {
    cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => { text = (text + c.toString()).slice(-200_000); });
  child.stderr?.on('data', (c: Buffer) => { text = (text + c.toString()).slice(-200_000); });
  return { child, output: () => text, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

const portOpen = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

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

  it('starts Redis, the API, two workers and the monitor, serves both models, and stops everything on SIGINT', async () => {
    const port = await freePort();
    const launcher = startLauncher({ DATA_DIR: dataDir, PORT: String(port), WORKERS: '2', REDIS_URL: '' });
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

      launcher.child.kill('SIGINT');
      const code = await Promise.race([launcher.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
      assert.equal(code, 0, launcher.output().slice(-3000));
      assert.equal(await portOpen(port), false, 'API port closed');
      assert.equal(await portOpen(redisPort), false, 'embedded Redis stopped');
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
    }
  });
});
