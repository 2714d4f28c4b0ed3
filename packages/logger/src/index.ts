import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Log levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The one way processes build their logger: JSON lines on stdout, a `service` field, and
 * redaction of anything that can carry a secret. Tensor contents are never passed to the logger
 * in the first place; redaction is the second line of defence.
 * @param service - `api`, `worker`, `launcher`, …
 * @param level - @defaultValue 'info'
 */
export function createLogger(service: string, level: LogLevel = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service, pid: process.pid },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.password', '*.inputs', '*.data'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
