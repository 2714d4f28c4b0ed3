/**
 * The launcher's lifetimes, with real processes (issue 9 A.7, B.2, B.5):
 * - one launcher per DATA_DIR: a second is refused with a message naming the running one;
 * - `kill -9` of the embedded redis-server is logged loudly and repaired (same port and data);
 * - the banner says whether access control is on and why; `npm run keys:reset` is the way out;
 * - npm killed (the launcher's parent gone): the launcher stops the stack by itself;
 * - the launcher SIGKILLed: its children stop by themselves (their IPC channel closed) and the
 *   next launcher on the same DATA_DIR stops the redis-server it left behind;
 * - readiness is our own API's: a stranger answering "ready" on the port does not count.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { freePort, type LockContent } from '@inferq/redis';
import { waitUntil } from '../helpers/processes.js';
import { isAlive, pidsOf, portOpen, startLauncher, type LauncherProcess } from '../helpers/launcher-process.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_KEY = 'lifecycle-admin-key-0123456789abcdef0123';
const READY_MS = 90_000;

const readLock = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'launcher.lock'), 'utf8')) as LockContent;
const ready = (launcher: LauncherProcess) => waitUntil(async () => launcher.output().includes('inferq is ready'), READY_MS, `the launcher to be ready:\n${launcher.output().slice(-3000)}`);
const exited = (launcher: LauncherProcess, ms = 60_000) => Promise.race([launcher.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
const gone = (pids: number[], what: string) => waitUntil(async () => pids.every((pid) => !isAlive(pid)), 30_000, what);

function resetKeys(dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
    delete env.REDIS_URL;
    delete env.ADMIN_API_KEY;
    delete env.API_KEYS;
    execFile(process.execPath, ['--import', 'tsx', 'apps/tools/src/reset-keys.ts'], { cwd: REPO_ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

describe('npm start lifecycle (real processes)', () => {
  const dirs: string[] = [];
  const launchers: LauncherProcess[] = [];
  const redisPids = new Set<number>();
  const start = (...args: Parameters<typeof startLauncher>) => {
    const launcher = startLauncher(...args);
    launchers.push(launcher);
    return launcher;
  };
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferq-lifecycle-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    // Whatever a failed assertion left running (the embedded Redis runs in its own group).
    for (const launcher of launchers) try { process.kill(-launcher.child.pid!, 'SIGKILL'); } catch { /* gone */ }
    for (const pid of redisPids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second launcher on the same DATA_DIR, restarts a killed Redis, and shows access control with its way out', async () => {
    const dir = dataDir();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const first = start({ DATA_DIR: dir, PORT: String(port), WORKERS: '1', MONITOR: '0', LOG_LEVEL: 'info', ADMIN_API_KEY: ADMIN_KEY });
    await ready(first);
    assert.match(first.output(), /access {6}ON: ADMIN_API_KEY is set\./);
    const lock = readLock(dir);
    redisPids.add(lock.redisPid!);
    assert.equal(lock.launcherPid, pidsOf(first, 'launcher')[0]);

    // B.2: a second `npm start` on the same data directory names the running one and exits.
    const second = start({ DATA_DIR: dir, PORT: String(await freePort()) });
    assert.equal(await exited(second), 1);
    assert.match(second.output(), new RegExp(`in use by another inferq launcher \\(pid ${lock.launcherPid}, its redis-server pid ${lock.redisPid} on port ${lock.redisPort}`));
    assert.ok(isAlive(lock.redisPid!), 'the running Redis is untouched');

    // A.7: kill -9 of the embedded Redis: logged at error level, restarted on the same port.
    process.kill(lock.redisPid!, 'SIGKILL');
    await waitUntil(async () => first.logs().some((l) => l.msg === 'embedded redis-server restarted'), 60_000, 'the Redis restart');
    const died = first.logs().find((l) => String(l.msg).startsWith('embedded redis-server died'));
    assert.equal(died?.level, 50);
    assert.equal(died?.signal, 'SIGKILL');
    const relocked = readLock(dir);
    redisPids.add(relocked.redisPid!);
    assert.notEqual(relocked.redisPid, lock.redisPid);
    assert.equal(relocked.redisPort, lock.redisPort, 'same port: the clients reconnect by themselves');
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).ok, 60_000, 'the API to be ready again');
    const infer = await fetch(`${base}/v2/models/iris/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...admin },
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [6.7, 3.0, 5.2, 2.3] }] }),
    });
    assert.equal(infer.status, 200, await infer.text());

    // A key stored in Redis outlives the restart without ADMIN_API_KEY (the B.5 lock-out).
    const created = await fetch(`${base}/v1/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ name: 'tried-once', scopes: ['predict', 'read'] }) });
    assert.equal(created.status, 201, await created.text());
    process.kill(-first.child.pid!, 'SIGTERM');
    assert.equal(await exited(first), 0, first.output().slice(-3000));
    assert.equal(existsSync(join(dir, 'launcher.lock')), false, 'the lock is released');

    // Started as npm starts it (through a shell), without ADMIN_API_KEY.
    const third = start({ DATA_DIR: dir, PORT: String(port), WORKERS: '0', MONITOR: '0', LOG_LEVEL: 'info' }, { viaShell: true });
    await ready(third);
    assert.match(third.output(), /access {6}ON: 1 key\(s\) stored in Redis by POST \/v1\/admin\/keys/);
    assert.match(third.output(), /npm run keys:reset/);
    redisPids.add(readLock(dir).redisPid!);
    assert.equal((await fetch(`${base}/v1/models`)).status, 401);
    const reset = await resetKeys(dir);
    assert.match(reset, /removed 1 stored API key\(s\) from the embedded Redis of the running launcher/);
    await waitUntil(async () => (await fetch(`${base}/v1/models`)).status === 200, 10_000, 'access control to turn off');

    // B.2: npm killed (here: the shell standing in for it): the launcher notices and stops it all.
    const stack = [...pidsOf(third, 'launcher'), ...pidsOf(third, 'api'), readLock(dir).redisPid!];
    assert.equal(stack.length, 3);
    third.child.kill('SIGKILL');
    await gone(stack, 'the launcher, API and Redis to stop after their npm died');
    assert.equal(await portOpen(port), false);
    assert.ok(third.logs().some((l) => l.service === 'launcher' && String(l.reason).startsWith('parent process')));
  });

  it('SIGKILL of the launcher: its children stop by themselves, and the next launcher stops the Redis it left', async () => {
    const dir = dataDir();
    const port = await freePort();
    const launcher = start({ DATA_DIR: dir, PORT: String(port), WORKERS: '1', MONITOR: '1', LOG_LEVEL: 'info' });
    await ready(launcher);
    await waitUntil(async () => pidsOf(launcher, 'monitor').length === 1, 60_000, 'the monitor to log');
    const children = [...pidsOf(launcher, 'api'), ...pidsOf(launcher, 'worker'), ...pidsOf(launcher, 'monitor')];
    assert.equal(children.length, 3);
    const orphan = readLock(dir).redisPid!;
    redisPids.add(orphan);

    launcher.child.kill('SIGKILL');
    await gone(children, 'the API, worker and monitor to stop after their launcher was killed');
    assert.equal(await portOpen(port), false);
    assert.ok(isAlive(orphan), 'Redis, in its own process group, outlives a SIGKILLed launcher');

    const next = start({ DATA_DIR: dir, PORT: String(port), WORKERS: '0', MONITOR: '0', LOG_LEVEL: 'info' });
    await ready(next);
    redisPids.add(readLock(dir).redisPid!);
    const stale = next.logs().find((l) => String(l.msg).startsWith('stopping the redis-server a previous launcher left running'));
    assert.equal(stale?.redisPid, orphan);
    assert.equal(isAlive(orphan), false);
    next.ctrlC();
    assert.equal(await exited(next), 0, next.output().slice(-3000));
  });

  it('is not "ready" because something else answers on the port: its own API must be listening', async () => {
    const stranger = createServer((_request, response) => response.end('{"ready":true}'));
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    const port = (stranger.address() as { port: number }).port;
    try {
      const launcher = start({ DATA_DIR: dataDir(), PORT: String(port), WORKERS: '0', MONITOR: '0', LOG_LEVEL: 'info' });
      assert.equal(await exited(launcher, READY_MS), 1, launcher.output().slice(-3000));
      assert.ok(!launcher.output().includes('inferq is ready'), 'no banner for a stack that is not ours');
      assert.match(launcher.output(), /EADDRINUSE/);
      assert.ok(launcher.logs().some((l) => l.service === 'launcher' && String(l.reason).startsWith('api exited with code 1')));
    } finally {
      stranger.close();
    }
  });
});
