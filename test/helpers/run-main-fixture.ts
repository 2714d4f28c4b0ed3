/**
 * A process built on runMain whose behaviour the test picks with FIXTURE (see run-main.test.ts):
 * a stand-in for the api/worker/monitor entry points without their dependencies.
 */
import { ConfigError, readInteger, runMain, StartError } from '@inferq/env';
import { createLogger } from '@inferq/logger';

const mode = process.env.FIXTURE ?? 'serve';

await runMain({
  name: 'fixture',
  loadConfig: () => {
    if (mode === 'config-error') throw new ConfigError('FIXTURE_PORT="x" must be an integer from 1 to 2');
    return { closeMs: readInteger(process.env, 'FIXTURE_CLOSE_MS', 0, { min: 0, max: 60_000 }) };
  },
  createLogger: () => createLogger('fixture', 'info'),
  shutdownTimeoutMs: () => 2_000,
  start: async (config, logger) => {
    if (mode === 'start-error') throw new StartError('port 1 is taken by pid 42; stop it first');
    if (mode === 'start-crash') throw new TypeError('boom while starting');
    // Keeps the process alive like a server would.
    const alive = setInterval(() => {}, 60_000);
    if (mode === 'reject-later') setTimeout(() => void Promise.reject(new RangeError('lost promise')), 10);
    logger.info({}, 'serving');
    return {
      close: async (reason) => {
        logger.info({ reason }, 'closing');
        if (mode === 'close-fails') throw new Error('close failed');
        await new Promise((r) => setTimeout(r, config.closeMs));
        clearInterval(alive);
        logger.info({ reason }, 'closed');
      },
    };
  },
});
