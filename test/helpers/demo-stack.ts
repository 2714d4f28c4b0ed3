/**
 * What the `demo:* --url` tests share: a stack the demo drives over HTTP (real Redis, the API
 * listening on a free loopback port, workers and a monitor in this process) and a way to run a
 * demo script as a child process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@inferq/logger';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';
import { startMonitorApp, type MonitorApp } from '../../apps/monitor/src/monitor-app.js';
import { MODELS_DIR, startRedisBackedStack, type InProcessStackOptions, type RedisBackedStack } from './in-process-stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `apps/tools/src/<script>` under tsx from the repository root; resolves with its exit code and output (never rejects). */
export function runTool(script: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', `apps/tools/src/${script}`, ...args], { cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** A running stack with its API listening at `base`. */
export interface ListeningStack {
  stack: RedisBackedStack;
  monitor: MonitorApp;
  /** The API's URL, `http://127.0.0.1:<port>`. */
  base: string;
  /** Closes the monitor, then the stack and its Redis. */
  close(): Promise<void>;
}

/**
 * Starts a test Redis, an in-process stack on it and a monitor of the same repository, then
 * makes the API listen on a free loopback port.
 *
 * @param options - the stack's (startRedisBackedStack); its `env.MODEL_REPOSITORY` is the monitor's too. @defaultValue MODELS_DIR
 * @param monitorEnv - monitor settings on top of REDIS_URL, KEY_PREFIX and MODEL_REPOSITORY (e.g. MONITOR_ID).
 */
export async function startListeningStack(options: InProcessStackOptions, monitorEnv: Record<string, string>): Promise<ListeningStack> {
  const stack = await startRedisBackedStack(options);
  let monitor: MonitorApp | undefined;
  const close = async () => {
    await monitor?.close();
    await stack.close();
  };
  try {
    monitor = await startMonitorApp(loadMonitorConfig({
      REDIS_URL: stack.redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: options.env?.MODEL_REPOSITORY ?? MODELS_DIR, ...monitorEnv,
    }), createLogger('monitor', 'silent'));
    const base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    return { stack, monitor, base, close };
  } catch (error) {
    // Nothing started may outlive a failed start: the test's `after` has no handle to close it.
    await close();
    throw error;
  }
}
