import { runMain } from '@inferq/env';
import { createLogger } from '@inferq/logger';
import { loadWorkerConfig } from './config.js';
import { startWorkerApp } from './worker-app.js';

/**
 * Worker process entry: reads config, starts, and on a stop signal finishes the batches in hand
 * (see runMain). Past SHUTDOWN_TIMEOUT_MS it exits; unfinished jobs are re-run by another worker.
 */
await runMain({
  name: 'worker',
  loadConfig: () => loadWorkerConfig(),
  createLogger: (config) => createLogger('worker', config.logLevel),
  shutdownTimeoutMs: (config) => config.shutdownTimeoutMs,
  start: (config, logger) => startWorkerApp(config, logger),
});
