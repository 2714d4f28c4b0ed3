/**
 * `runMain`: the one entry-point skeleton of the api, worker, monitor and launcher processes.
 *
 * - Configuration is read first; a ConfigError prints one line naming the variable and exits 2
 *   (other start-up failures exit 1), before any logger or connection exists. A StartError
 *   prints its message as one line; any other start-up failure is logged with its stack.
 * - SIGINT, SIGTERM and SIGHUP start one graceful stop (idempotent); a second signal during it
 *   exits at once (the user pressed Ctrl-C twice: they do not want to wait).
 * - A stop that outlasts `shutdownTimeoutMs` exits 1 with an error line.
 * - Fatal errors (start-up, uncaught exceptions, unhandled rejections) are logged with pino's
 *   `err` serializer, so the stack is kept.
 * - A process started by the launcher (an IPC channel is open) tells it when it has started and
 *   stops by itself when that channel closes: the launcher exited, even by SIGKILL.
 */
import { ConfigError, StartError } from './config-error.js';

/** Exit codes of every inferq process. */
export const EXIT_CODES = Object.freeze({
  /** Stopped as asked. */
  ok: 0,
  /** Failed to start, crashed, failed or timed out while stopping, or forced by a second signal. */
  failure: 1,
  /** Bad configuration (message names the variable). */
  config: 2,
});

/** The part of a pino logger `runMain` uses. */
export interface MainLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  fatal(obj: object, msg: string): void;
  /** pino's `flush`: written lines reach stdout before `process.exit`. */
  flush?(): void;
}

/** What `start` returns: something that can be closed gracefully. */
export interface RunningService {
  /** Stops taking work, finishes what is in hand, releases connections. Called once. */
  close(reason: string): Promise<void>;
}

/** Message a launched process sends its launcher over IPC once `start` resolved. */
export interface StartedMessage {
  inferq: 'started';
  name: string;
  pid: number;
}

export interface MainOptions<C, L extends MainLogger> {
  /** Process name, first word of every console line: `api`, `worker`, … */
  name: string;
  /** Parses the environment; throws ConfigError naming the bad variable. */
  loadConfig: () => C;
  createLogger: (config: C) => L;
  /** Starts the service; `requestStop` lets it ask for the same graceful stop a signal starts. */
  start: (config: C, logger: L, requestStop: (reason: string, failed?: boolean) => void) => Promise<RunningService>;
  /** Longest graceful stop before exiting 1. @defaultValue 30000 */
  shutdownTimeoutMs?: (config: C) => number;
  /**
   * Stop when the parent process is gone (checked once a second): for a process started by a
   * tool that does not pass signals on, such as `npm start` whose npm was killed. Children of the
   * launcher do not need it: their IPC channel tells them at once. @defaultValue false
   */
  stopWithParent?: boolean;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs a process entry point as described at the top of this file. Never rejects. */
export async function runMain<C, L extends MainLogger>(options: MainOptions<C, L>): Promise<void> {
  let config: C;
  try {
    config = options.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${options.name}: configuration error: ${error.message}`);
      process.exit(EXIT_CODES.config);
    }
    console.error(`${options.name}: failed to read its configuration: ${(error as Error).stack ?? String(error)}`);
    process.exit(EXIT_CODES.failure);
  }
  const logger = options.createLogger(config);
  const exit = (code: number): never => {
    logger.flush?.();
    process.exit(code);
  };
  const fatal = (message: string) => (error: unknown) => {
    logger.fatal({ err: error }, message);
    exit(EXIT_CODES.failure);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));

  let service: RunningService | undefined;
  let stopReason: string | undefined;
  const stop = (reason: string, failed = false) => {
    if (stopReason !== undefined) {
      logger.error({ reason, stopping: stopReason }, 'second stop request: exiting now');
      exit(EXIT_CODES.failure);
    }
    stopReason = reason;
    // Still starting: nothing is serving yet, so there is nothing to finish.
    if (!service) exit(EXIT_CODES.ok);
    logger.info({ reason }, 'shutting down');
    const timeoutMs = options.shutdownTimeoutMs?.(config) ?? 30_000;
    setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
      exit(EXIT_CODES.failure);
    }, timeoutMs).unref();
    service!.close(reason).then(() => exit(failed ? EXIT_CODES.failure : EXIT_CODES.ok), (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      exit(EXIT_CODES.failure);
    });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  // Only a second *signal* forces the exit; the service asking again (say, a child it is stopping
  // exits) while a stop runs changes nothing.
  const requestStop = (reason: string, failed = false) => {
    if (stopReason === undefined) stop(reason, failed);
  };
  if (process.send) {
    // The IPC channel closes when the launcher exits, however it exits.
    process.once('disconnect', () => requestStop('launcher exited'));
  }
  if (options.stopWithParent) {
    const parent = process.ppid;
    // Re-parented (to init or a subreaper): whoever started us is gone.
    setInterval(() => { if (process.ppid !== parent) requestStop(`parent process ${parent} exited`); }, 1_000).unref();
  }

  try {
    service = await options.start(config, logger, requestStop);
  } catch (error) {
    if (error instanceof StartError) {
      console.error(`${options.name}: ${error.message}`);
      exit(EXIT_CODES.failure);
    }
    fatal('failed to start')(error);
    return;
  }
  if (process.send && process.connected) {
    const message: StartedMessage = { inferq: 'started', name: options.name, pid: process.pid };
    process.send(message);
  }
}
