/**
 * One launcher per data directory. `<DATA_DIR>/launcher.lock` (JSON: launcher pid, redis-server
 * pid and port) is created exclusively at start and removed at stop. A second `npm start` on the
 * same directory is refused with a message naming the running one, instead of starting a second
 * redis-server on the same AOF files.
 *
 * A lock left by a launcher that is gone (SIGKILL, power loss) is taken over; if that launcher's
 * redis-server is still running (it runs in its own process group, so nothing else stopped it),
 * it is stopped first: it holds the AOF files.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The logger calls this module makes (a pino logger fits). */
export interface LockLogger {
  warn(obj: object, msg: string): void;
}

/** Another live launcher holds the data directory; the message names it and says what to do. */
export class DataDirInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirInUseError';
  }
}

/** What `<DATA_DIR>/launcher.lock` holds. */
export interface LockContent {
  launcherPid: number;
  redisPid?: number;
  redisPort?: number;
  startedAt: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Records the (new) redis-server of this launcher, for the message of a second launcher. */
  update(redis: { pid: number; port: number }): void;
  /** Removes the lock file. Idempotent. */
  release(): void;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The command line of `pid` (Linux /proc), or '' where it cannot be read. */
const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

async function stopStaleRedis(pid: number, logger: LockLogger): Promise<void> {
  if (!isAlive(pid) || !commandLine(pid).includes('redis-server')) return;
  logger.warn({ redisPid: pid }, 'stopping the redis-server a previous launcher left running on this data directory');
  process.kill(pid, 'SIGTERM');
  // Bounded: 100 checks, 10 s, then SIGKILL.
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Takes the lock of `dataDir` or throws a DataDirInUseError naming the launcher holding it. */
export async function acquireDataDirLock(dataDir: string, logger: LockLogger): Promise<DataDirLock> {
  const path = join(dataDir, 'launcher.lock');
  let content: LockContent = { launcherPid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let held: Partial<LockContent> = {};
      try {
        held = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
      } catch {
        // Empty or torn (a launcher killed while writing it): treated as stale below.
      }
      if (typeof held.launcherPid === 'number' && held.launcherPid !== process.pid && isAlive(held.launcherPid)) {
        const redis = held.redisPid ? `, its redis-server pid ${held.redisPid} on port ${held.redisPort}` : '';
        throw new DataDirInUseError(
          `DATA_DIR ${dataDir} is in use by another inferq launcher (pid ${held.launcherPid}${redis}, started ${held.startedAt}). ` +
          `Stop it first (Ctrl-C in its terminal, or kill ${held.launcherPid}), or give this one another DATA_DIR.`,
        );
      }
      if (typeof held.redisPid === 'number') await stopStaleRedis(held.redisPid, logger);
      logger.warn({ path, previousLauncherPid: held.launcherPid }, 'taking over the lock of a launcher that is gone');
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify(content));
    closeSync(fd);
    let released = false;
    return {
      path,
      update(redis) {
        content = { ...content, redisPid: redis.pid, redisPort: redis.port };
        if (!released) writeFileSync(path, JSON.stringify(content));
      },
      release() {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      },
    };
  }
  throw new DataDirInUseError(`could not take the lock ${path}: another launcher keeps replacing it`);
}

/** Reads the lock of `dataDir` if its launcher is alive: where a running launcher's Redis is. */
export function readLiveLock(dataDir: string): LockContent | undefined {
  try {
    const held = JSON.parse(readFileSync(join(dataDir, 'launcher.lock'), 'utf8')) as LockContent;
    return isAlive(held.launcherPid) ? held : undefined;
  } catch {
    return undefined;
  }
}
