import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis, type EmbeddedRedis } from '@inferq/redis';

/** A real `redis-server` of a test's own: free port, temp dir, removed on `stop`. */
export interface TestRedis extends EmbeddedRedis {
  readonly dir: string;
  /** Starts a fresh server on the same port and dir (after `kill` or `stop`), reloading its AOF. */
  restart(): Promise<TestRedis>;
  /** Stops the server and deletes its directory. */
  dispose(): Promise<void>;
}

/** Starts a `redis-server` for one test file. */
export async function startTestRedis(options: { appendfsync?: 'always' | 'everysec'; port?: number; dir?: string } = {}): Promise<TestRedis> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'inferq-test-redis-'));
  const server = await startEmbeddedRedis({ dir, appendfsync: options.appendfsync ?? 'everysec', ...(options.port ? { port: options.port } : {}) });
  return {
    ...server,
    url: server.url,
    port: server.port,
    process: server.process,
    dir,
    restart: () => startTestRedis({ ...options, port: server.port, dir }),
    async dispose() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
