import { ConfigError } from '@inferq/env';
import { createLogger } from '@inferq/logger';
import { createApiServices } from './api-services.js';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';

/** API process entry: reads config, listens, and closes in order on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadApiConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`api: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('api', config.logLevel);
  const services = await createApiServices(config, logger);
  const app = await buildApp(services, logger);
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info({ address, models: services.repository.modelNames() }, 'api listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let requests in flight finish (accepted work is already safe in Redis), then close Redis.
    try { await app.close(); } catch (error) { logger.warn({ err: (error as Error).message }, 'error closing http'); }
    try { await services.close(); } catch (error) { logger.warn({ err: (error as Error).message }, 'error closing redis'); }
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: Error) => {
  console.error(`api: failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
