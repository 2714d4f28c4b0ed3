import { ConfigError } from '@inferq/env';
import { createLogger } from '@inferq/logger';
import { loadMonitorConfig } from './config.js';
import { startMonitorApp } from './monitor-app.js';

/** Monitor process entry: reads config, starts, and stops gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadMonitorConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`monitor: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('monitor', config.logLevel);
  const app = await startMonitorApp(config, logger);
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting (unacknowledged log entries are taken over by another monitor)');
      process.exit(1);
    }, 15_000);
    force.unref();
    app.close().then(() => process.exit(0), (error: Error) => {
      logger.error({ err: error.message }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  console.error(`monitor: failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
