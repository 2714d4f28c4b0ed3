import { runMain } from '@inferq/env';
import { createLogger } from '@inferq/logger';
import { createApiServices } from './api-services.js';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';

/** API process entry: reads config, listens, and closes in order on a stop signal (see runMain). */
await runMain({
  name: 'api',
  loadConfig: () => loadApiConfig(),
  createLogger: (config) => createLogger('api', config.logLevel),
  shutdownTimeoutMs: () => 15_000,
  start: async (config, logger) => {
    const services = await createApiServices(config, logger);
    const app = await buildApp(services, logger);
    const address = await app.listen({ port: config.port, host: config.host });
    logger.info({ address, models: services.repository.modelNames() }, 'api listening');
    return {
      // Stop accepting, let requests in flight finish (accepted work is already safe in Redis), then close Redis.
      close: async () => {
        try { await app.close(); } catch (error) { logger.warn({ err: error }, 'error closing http'); }
        try { await services.close(); } catch (error) { logger.warn({ err: error }, 'error closing redis'); }
      },
    };
  },
});
