import { runMain } from '@inferq/env';
import { createLogger } from '@inferq/logger';
import { loadLauncherConfig } from './config.js';
import { startStack } from './stack.js';

/**
 * `npm start`: one command for the whole service on one machine: an embedded Redis (unless
 * REDIS_URL is set), the API, WORKERS worker processes and the monitor (see stack.ts).
 * Ctrl-C (or SIGTERM/SIGHUP) stops all of them in order; a second Ctrl-C exits at once.
 */
await runMain({
  name: 'inferq',
  loadConfig: () => loadLauncherConfig(),
  createLogger: (config) => createLogger('launcher', config.logLevel),
  // API 10 s + workers 35 s + monitor 20 s at worst, and Redis's AOF flush.
  shutdownTimeoutMs: () => 75_000,
  // Under npm (`npm start`), npm's death must not leave the stack running: npm does not always
  // pass its SIGTERM on through the shell it starts us with.
  stopWithParent: process.env.npm_lifecycle_event !== undefined,
  start: (config, logger, requestStop) => startStack(config, logger, requestStop),
});
