/**
 * The launcher's embedded redis-server, kept running: if it dies while the stack runs (kill -9,
 * OOM killer, a crash) it is restarted on the same port and data directory, so it reloads its
 * AOF and the API, workers and monitor reconnect by themselves (ioredis retries). Each death is
 * logged at error level. Restarts back off (250 ms doubling to 8 s); after MAX_FAILED_STARTS
 * consecutive failed starts the launcher gives up and stops the stack.
 */
import { startEmbeddedRedis, type EmbeddedRedis } from '@inferq/redis';
import type { Logger } from '@inferq/logger';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8_000;
/** Consecutive failed restarts before giving up. */
const MAX_FAILED_STARTS = 8;
/** A server that stayed up this long resets the back-off. */
const STABLE_MS = 60_000;

export interface RedisSupervisorOptions {
  dir: string;
  appendfsync: 'always' | 'everysec';
  logger: Logger;
  /** After each (re)start: the new server's pid. */
  onStarted: (redis: { pid: number; port: number }) => void;
  /** Restarting failed MAX_FAILED_STARTS times in a row. */
  onGiveUp: () => void;
}

export class RedisSupervisor {
  readonly #options: RedisSupervisorOptions;
  #server: EmbeddedRedis;
  #stopping = false;
  #restarts = 0;
  /** Restart attempts since the server last stayed up STABLE_MS. */
  #attempts = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(server: EmbeddedRedis, options: RedisSupervisorOptions) {
    this.#server = server;
    this.#options = options;
    this.#watch(server);
  }

  /** Starts the server (in its own process group) on a free port. */
  static async start(options: RedisSupervisorOptions): Promise<RedisSupervisor> {
    const server = await startEmbeddedRedis({ dir: options.dir, appendfsync: options.appendfsync, detached: true });
    options.onStarted({ pid: server.process.pid ?? 0, port: server.port });
    return new RedisSupervisor(server, options);
  }

  get url(): string { return this.#server.url; }
  get port(): number { return this.#server.port; }
  get pid(): number | undefined { return this.#server.process.pid; }
  /** Restarts so far. */
  get restarts(): number { return this.#restarts; }

  /** Graceful stop (Redis flushes its AOF); no restart after it. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    await this.#server.stop();
  }

  #watch(server: EmbeddedRedis): void {
    const startedAt = Date.now();
    server.process.once('exit', (code, signal) => {
      if (this.#stopping) return;
      if (Date.now() - startedAt >= STABLE_MS) this.#attempts = 0;
      this.#options.logger.error(
        { code, signal, redisPid: server.process.pid, port: server.port, dir: this.#options.dir, output: server.output() },
        'embedded redis-server died; restarting it on the same port and data directory (predictions wait meanwhile)',
      );
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#attempts >= MAX_FAILED_STARTS) {
      this.#options.logger.fatal({ attempts: this.#attempts }, 'embedded redis-server could not be restarted; stopping');
      this.#options.onGiveUp();
      return;
    }
    const delayMs = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.#attempts);
    this.#attempts++;
    // #restart handles its own failures (it reschedules), so nothing is left to await here.
    this.#timer = setTimeout(() => void this.#restart(delayMs), delayMs);
  }

  async #restart(delayMs: number): Promise<void> {
    if (this.#stopping) return;
    this.#restarts++;
    try {
      const server = await startEmbeddedRedis({ dir: this.#options.dir, port: this.#server.port, appendfsync: this.#options.appendfsync, detached: true });
      if (this.#stopping) {
        await server.stop();
        return;
      }
      this.#server = server;
      this.#watch(server);
      this.#options.onStarted({ pid: server.process.pid ?? 0, port: server.port });
      this.#options.logger.warn({ redisPid: server.process.pid, port: server.port, restarts: this.#restarts, afterMs: delayMs }, 'embedded redis-server restarted');
    } catch (error) {
      this.#options.logger.error({ err: error, attempt: this.#attempts }, 'embedded redis-server failed to restart; trying again');
      this.#schedule();
    }
  }
}
