/**
 * @inferq/env: reading the environment once at start-up (typed readers, the settings several
 * processes share) and the entry-point skeleton every process runs (`runMain`).
 */
export { ConfigError, StartError } from './config-error.js';
export * from './env-readers.js';
export * from './shared-settings.js';
export * from './run-main.js';
export * from './redis-sentinel.js';
