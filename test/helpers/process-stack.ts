import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from '@inferq/redis';
import { MODELS_DIR } from './in-process-stack.js';
import { startAppProcess, waitUntil, type AppProcess } from './processes.js';
import { startTestRedis, type TestRedis } from './redis-server.js';

/** Options of {@link startProcessStack}. */
export interface ProcessStackOptions {
  /** The test's own Redis (the test keeps it: it may kill and restart it). */
  redisUrl: string;
  /** KEY_PREFIX of every process, so the heartbeat keys can be counted. */
  keyPrefix: string;
  /**
   * Env every worker gets on top of the shared env and the e2e defaults (one onnxruntime thread,
   * CPU), e.g. short job locks.
   * @defaultValue `{}`
   */
  workerEnv?: Record<string, string>;
}

/**
 * The API and worker processes of one e2e test, started as `npm run start:api|start:worker` starts
 * them, on a free port, against the test's Redis. Every process started through it is stopped by
 * `stop`.
 */
export interface ProcessStack {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Every process started through the stack, in start order (restarted ones included). */
  readonly processes: readonly AppProcess[];
  /** Every worker started through the stack, in start order. */
  readonly workers: readonly AppProcess[];
  /** The API process started last. Throws before one is started. */
  readonly api: AppProcess;
  /** Starts a worker named `id` (WORKER_ID) with `env` added to the stack's worker env. */
  startWorker(id: string, env?: Record<string, string>): AppProcess;
  /** Starts an API process on the stack's port with `env` added to the shared env. */
  startApi(env?: Record<string, string>): AppProcess;
  /** Waits (bounded) until the API answers ready and `workers` workers heartbeat. */
  waitReady(workers: number): Promise<void>;
  /** Stops every API process, then every worker (SIGTERM, then SIGKILL after the grace). Idempotent. */
  stop(): Promise<void>;
}

/** Picks a free port and returns a stack with no process started yet. */
export async function startProcessStack(options: ProcessStackOptions): Promise<ProcessStack> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { REDIS_URL: options.redisUrl, KEY_PREFIX: options.keyPrefix, MODEL_REPOSITORY: MODELS_DIR };
  const workerEnv = { ...env, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', ...options.workerEnv };
  const apis: AppProcess[] = [];
  const workers: AppProcess[] = [];
  const processes: AppProcess[] = [];
  return {
    port,
    base,
    processes,
    workers,
    get api() {
      const api = apis.at(-1);
      if (!api) throw new Error('no API process started');
      return api;
    },
    startWorker(id, extra = {}) {
      const worker = startAppProcess('apps/worker/src/main.ts', { ...workerEnv, ...extra, WORKER_ID: id });
      workers.push(worker);
      processes.push(worker);
      return worker;
    },
    startApi(extra = {}) {
      const api = startAppProcess('apps/api/src/main.ts', { ...env, ...extra, PORT: String(port) });
      apis.push(api);
      processes.push(api);
      return api;
    },
    async waitReady(count) {
      await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).ok, 60_000, 'the API to be ready');
      const probe = new Redis(options.redisUrl);
      try {
        await waitUntil(async () => (await probe.keys(`${options.keyPrefix}:worker:*`)).length === count, 60_000, `${count} workers to heartbeat`);
      } finally {
        probe.disconnect();
      }
    },
    async stop() {
      // The API first, so no new work reaches workers that are stopping.
      await Promise.all(apis.map((p) => p.stop()));
      await Promise.all(workers.map((p) => p.stop()));
    },
  };
}

/** Options of {@link useProcessStack}: the stack's, less the Redis URL, plus what to start. */
export interface ProcessStackFixtureOptions extends Omit<ProcessStackOptions, 'redisUrl'> {
  /** @defaultValue `{}` (appendfsync everysec) */
  redis?: { appendfsync?: 'always' | 'everysec' };
  /** Starts the processes the tests begin with; `before` then waits until they are ready. */
  start?: (stack: ProcessStack) => void;
  /** How many workers `start` starts (heartbeats waited for). @defaultValue 0 (no wait) */
  workers?: number;
  /** Open `probe`, a connection to the test's Redis for the whole block. @defaultValue false */
  probe?: boolean;
}

/** What {@link useProcessStack} fills in once its `before` hook has run. */
export interface ProcessStackFixture {
  redis: TestRedis;
  stack: ProcessStack;
  /** Set when `probe` was asked for. */
  probe: Redis;
  /** Starts Redis again on its port and directory (after `redis.kill()`), reloading its AOF. */
  restartRedis(): Promise<TestRedis>;
}

/**
 * Registers the `before`/`after` hooks of an e2e describe block: its own Redis, a process stack,
 * the processes `start` starts (waited until ready), and their shutdown (API first) and clean-up.
 */
export function useProcessStack(options: ProcessStackFixtureOptions): ProcessStackFixture {
  const fixture = {
    async restartRedis() {
      fixture.redis = await fixture.redis.restart();
      return fixture.redis;
    },
  } as ProcessStackFixture;
  before(async () => {
    fixture.redis = await startTestRedis(options.redis);
    if (options.probe) fixture.probe = new Redis(fixture.redis.url);
    fixture.stack = await startProcessStack({ ...options, redisUrl: fixture.redis.url });
    if (options.start) {
      options.start(fixture.stack);
      await fixture.stack.waitReady(options.workers ?? 0);
    }
  });
  after(async () => {
    await fixture.stack?.stop();
    fixture.probe?.disconnect();
    await fixture.redis?.dispose();
  });
  return fixture;
}
