import { runMain } from '@inferq/env';
import { createLogger } from '@inferq/logger';
import { loadMonitorConfig } from './config.js';
import { startMonitorApp } from './monitor-app.js';

/**
 * Monitor process entry: reads config, starts, and stops gracefully on a stop signal (see
 * runMain). Log entries it had not acknowledged are taken over by another monitor.
 */
await runMain({
  name: 'monitor',
  loadConfig: () => loadMonitorConfig(),
  createLogger: (config) => createLogger('monitor', config.logLevel),
  shutdownTimeoutMs: () => 15_000,
  start: (config, logger) => startMonitorApp(config, logger),
});
