import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `npm start` as a test runs it: the launcher in a process group of its own, like a terminal job. */
export interface LauncherProcess {
  readonly child: ChildProcess;
  /** Everything printed (banner, JSON log lines of the launcher and its children). */
  output(): string;
  logs(): Array<Record<string, unknown>>;
  readonly exit: Promise<number | null>;
  /** Ctrl-C in its terminal: SIGINT to its whole process group. */
  ctrlC(): void;
}

/**
 * Starts the launcher with `env` added to this process's (ORT_DISABLE_TELEMETRY removed, so the
 * processes must turn it off themselves). `viaShell`: as npm starts it, through `sh -c`, with
 * npm's `npm_lifecycle_event` set, so `child` is the shell (the stand-in for npm), not the launcher.
 */
export function startLauncher(env: Record<string, string>, options: { viaShell?: boolean } = {}): LauncherProcess {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  delete fullEnv.ORT_DISABLE_TELEMETRY;
  const command = [process.execPath, '--import', 'tsx', 'apps/launcher/src/main.ts'];
  const child = options.viaShell
    // `; exit $?` keeps the shell alive as the launcher's parent (it must not exec it).
    ? spawn('sh', ['-c', `${command.map((a) => `'${a}'`).join(' ')}; exit $?`], { cwd: REPO_ROOT, env: { ...fullEnv, npm_lifecycle_event: 'start' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(command[0]!, command.slice(1), { cwd: REPO_ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  const append = (c: Buffer) => { text = (text + c.toString()).slice(-500_000); };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return {
    child,
    output: () => text,
    logs: () => text.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
      try { return [JSON.parse(l) as Record<string, unknown>]; } catch { return []; }
    }),
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    ctrlC: () => process.kill(-child.pid!, 'SIGINT'),
  };
}

/** Pids that `service` logged from (each pino line carries the process's pid). */
export const pidsOf = (launcher: LauncherProcess, service: string): number[] =>
  [...new Set(launcher.logs().filter((l) => l.service === service).map((l) => Number(l.pid)))];

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export const portOpen = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});
