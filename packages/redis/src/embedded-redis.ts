import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';

/** Options of a `redis-server` child process. */
export interface EmbeddedRedisOptions {
  /** Data directory (AOF files live here). */
  dir: string;
  /** TCP port on 127.0.0.1. @defaultValue a free port */
  port?: number;
  /** AOF fsync policy: `everysec` loses at most ~1 s on a crash, `always` loses nothing. @defaultValue 'everysec' */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Path or name of the binary. @defaultValue 'redis-server' */
  binary?: string;
  /** Milliseconds to wait for the server to answer. @defaultValue 10000 */
  startTimeoutMs?: number;
  /**
   * Run it in a process group of its own, so a Ctrl-C in the terminal (SIGINT to the whole
   * foreground group) does not reach it: whoever started it stops it last, after its clients.
   * @defaultValue false (tests keep it in their group, so killing the group cleans it up)
   */
  detached?: boolean;
}

/** A running `redis-server` child. */
export interface EmbeddedRedis {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Its last output lines (it logs at `warning` level), for error reports. */
  output(): string;
  /** Graceful stop (SIGTERM: Redis flushes the AOF and exits). Idempotent. */
  stop(): Promise<void>;
  /** Crash stop (SIGKILL). Idempotent. */
  kill(): Promise<void>;
}

/** Message shown when `redis-server` is not installed. */
export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install Redis 6.2+ (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_URL to a running Redis.';

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts `redis-server` as a child process with the settings BullMQ needs
 * (`maxmemory-policy noeviction`) and durability on (AOF).
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir,
    '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'everysec',
    '--maxmemory-policy', 'noeviction', '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
  ];
  const child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4_000); });
  child.stderr?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4_000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(REDIS_INSTALL_HINT) : error));
  });
  const earlyExit = exited.then(() => {
    throw new Error(`redis-server exited during start-up: ${output.trim()}`);
  });

  await Promise.race([waitForPort(port, options.startTimeoutMs ?? 10_000), spawnError, earlyExit]);

  const stopWith = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url: `redis://127.0.0.1:${port}`, port, process: child, output: () => output.trim(), stop: stopWith('SIGTERM'), kill: stopWith('SIGKILL') };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('+PONG')); });
      socket.once('error', () => { socket.destroy(); resolve(false); });
      socket.once('timeout', () => { socket.destroy(); resolve(false); });
    });
    if (answered) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}
