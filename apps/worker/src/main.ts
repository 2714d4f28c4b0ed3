import { createLogger } from '@inferq/logger';
import { ConfigError } from '@inferq/env';
import { loadWorkerConfig } from './config.js';
import { startWorkerApp } from './worker-app.js';

/** Worker process entry: reads config, starts, and stops gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`worker: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('worker', config.logLevel);
  const app = await startWorkerApp(config, logger);
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing the batches in hand');
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting (unfinished jobs will be re-run by another worker)');
      process.exit(1);
    }, config.shutdownTimeoutMs);
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
  console.error(`worker: failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
