import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StartedMessage } from '@inferq/env';

/** Repository root (apps/launcher/src → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts one of the apps as a Node child process running its TypeScript entry through tsx.
 *
 * - `detached`: its own process group, so Ctrl-C (SIGINT to the terminal's foreground group)
 *   reaches only the launcher, which then stops the children in order.
 * - An IPC channel: the child reports when it has started (runMain's StartedMessage), and stops
 *   by itself when the channel closes, i.e. when the launcher is gone, even after SIGKILL.
 */
export function spawnApp(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves when `child` reports it has started; rejects if it exits first. */
export function whenStarted(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as Partial<StartedMessage> | null)?.inferq !== 'started') return;
      cleanup();
      resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`exited during start-up (code ${code}, signal ${signal})`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
