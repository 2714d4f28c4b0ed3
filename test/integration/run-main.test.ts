/**
 * runMain, the entry point of every process, in real child processes: exit codes, signals
 * (idempotent, a second one forces the exit), the stop timeout, fatal errors logged with their
 * stack, and a launched process stopping when its launcher's IPC channel closes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { EXIT_CODES } from '@inferq/env';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Fixture {
  child: ChildProcess;
  logs(): Array<Record<string, unknown>>;
  stderr(): string;
  exit: Promise<number | null>;
  /** Resolves once a log line with `msg` was printed (bounded by the test timeout). */
  logged(msg: string): Promise<void>;
}

function startFixture(env: Record<string, string>, ipc = false): Fixture {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/run-main-fixture.ts'], {
    cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ msg: string; resolve: () => void }> = [];
  // Complete lines only: a chunk can end in the middle of one.
  const parsed = () => out.split('\n').slice(0, -1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.splice(0)) {
      if (parsed().some((l) => l.msg === w.msg)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  return {
    child,
    logs: parsed,
    stderr: () => err,
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    logged: (msg) => new Promise((resolve) => {
      if (parsed().some((l) => l.msg === msg)) resolve();
      else waiters.push({ msg, resolve });
    }),
  };
}

const messages = (f: Fixture) => f.logs().map((l) => l.msg);

describe('runMain (real processes)', () => {
  it('a configuration error prints one line naming the variable and exits 2', async () => {
    const f = startFixture({ FIXTURE: 'config-error' });
    assert.equal(await f.exit, EXIT_CODES.config);
    assert.equal(f.stderr().trim(), 'fixture: configuration error: FIXTURE_PORT="x" must be an integer from 1 to 2');
  });

  it('a StartError prints its message as one line and exits 1', async () => {
    const f = startFixture({ FIXTURE: 'start-error' });
    assert.equal(await f.exit, EXIT_CODES.failure);
    assert.equal(f.stderr().trim(), 'fixture: port 1 is taken by pid 42; stop it first');
  });

  it('any other start-up failure is logged as fatal with its stack (pino err) and exits 1', async () => {
    const f = startFixture({ FIXTURE: 'start-crash' });
    assert.equal(await f.exit, EXIT_CODES.failure);
    const fatal = f.logs().find((l) => l.msg === 'failed to start');
    assert.ok(fatal, f.stderr());
    assert.equal(fatal.level, 60);
    const err = fatal.err as { type: string; message: string; stack: string };
    assert.equal(err.type, 'TypeError');
    assert.equal(err.message, 'boom while starting');
    assert.match(err.stack, /run-main-fixture\.ts/);
  });

  it('an unhandled rejection after start is logged as fatal with its stack and exits 1', async () => {
    const f = startFixture({ FIXTURE: 'reject-later' });
    assert.equal(await f.exit, EXIT_CODES.failure);
    const fatal = f.logs().find((l) => l.msg === 'unhandled promise rejection');
    assert.equal((fatal?.err as { type?: string } | undefined)?.type, 'RangeError');
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} closes the service once and exits 0`, async () => {
      const f = startFixture({ FIXTURE: 'serve' });
      await f.logged('serving');
      f.child.kill(signal);
      assert.equal(await f.exit, EXIT_CODES.ok);
      // Each exactly once; their order in the captured output is not asserted (seen inverted once under load).
      assert.deepEqual(messages(f).sort(), ['closed', 'closing', 'serving', 'shutting down']);
      assert.equal(f.logs().find((l) => l.msg === 'closing')?.reason, signal);
    });
  }

  it('a second signal while stopping exits 1 at once, without waiting for close', async () => {
    const f = startFixture({ FIXTURE: 'serve', FIXTURE_CLOSE_MS: '60000' });
    await f.logged('serving');
    f.child.kill('SIGINT');
    await f.logged('closing');
    f.child.kill('SIGINT');
    assert.equal(await f.exit, EXIT_CODES.failure);
    assert.ok(messages(f).includes('second stop request: exiting now'));
    assert.ok(!messages(f).includes('closed'));
  });

  it('a stop that outlasts the shutdown timeout exits 1 with an error line', async () => {
    const f = startFixture({ FIXTURE: 'serve', FIXTURE_CLOSE_MS: '30000' });
    await f.logged('serving');
    f.child.kill('SIGTERM');
    assert.equal(await f.exit, EXIT_CODES.failure);
    assert.equal(f.logs().find((l) => l.msg === 'graceful shutdown timed out; exiting')?.timeoutMs, 2_000);
  });

  it('a close that throws is logged with its stack and exits 1', async () => {
    const f = startFixture({ FIXTURE: 'close-fails' });
    await f.logged('serving');
    f.child.kill('SIGTERM');
    assert.equal(await f.exit, EXIT_CODES.failure);
    assert.match(String((f.logs().find((l) => l.msg === 'shutdown failed')?.err as { stack?: string } | undefined)?.stack), /close failed/);
  });

  it('a launched process reports it started over IPC and stops when the channel closes (its launcher is gone)', async () => {
    const f = startFixture({ FIXTURE: 'serve' }, true);
    const started = await new Promise<unknown>((resolve) => f.child.once('message', resolve));
    assert.deepEqual(started, { inferq: 'started', name: 'fixture', pid: f.child.pid });
    f.child.disconnect();
    assert.equal(await f.exit, EXIT_CODES.ok);
    assert.equal(f.logs().find((l) => l.msg === 'closing')?.reason, 'launcher exited');
  });
});
