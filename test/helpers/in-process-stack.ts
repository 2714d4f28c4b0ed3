import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@inferq/logger';
import { loadApiConfig } from '../../apps/api/src/config.js';
import { createApiServices, type ApiServices } from '../../apps/api/src/api-services.js';
import { buildApp } from '../../apps/api/src/app.js';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { startTestRedis, type TestRedis } from './redis-server.js';

/** The bundled model repository. */
export const MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url));

/** API (not listening: use `app.inject` / `app.injectWS`) and workers in this process, on one Redis. */
export interface InProcessStack {
  app: FastifyInstance;
  services: ApiServices;
  workers: WorkerApp[];
  keyPrefix: string;
  close(): Promise<void>;
}

/** Options of an in-process stack. */
export interface InProcessStackOptions {
  /** Worker apps. @defaultValue 1 */
  workers?: number;
  /** Settings on top of the test defaults (REDIS_URL, a random KEY_PREFIX, MODEL_REPOSITORY = MODELS_DIR, …). */
  env?: Record<string, string>;
}

/**
 * Builds the real API and `workers` real worker apps around `redisUrl`, under a random key
 * prefix so stacks in one Redis never see each other's queues.
 */
export async function startInProcessStack(redisUrl: string, options: InProcessStackOptions = {}): Promise<InProcessStack> {
  const keyPrefix = `t${randomBytes(4).toString('hex')}`;
  // One job per prediction unless a test asks for coalescing: tests that count queue jobs stay exact.
  const env = { REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', COALESCE_MAX_PREDICTIONS: '1', ...options.env };
  const logger = createLogger('test', 'silent');
  const workers: WorkerApp[] = [];
  for (let i = 0; i < (options.workers ?? 1); i++) {
    workers.push(await startWorkerApp(loadWorkerConfig({ ...env, WORKER_ID: `w${i}-${keyPrefix}`, DEVICE: 'cpu' }), logger));
  }
  const services = await createApiServices(loadApiConfig(env), logger);
  const app = await buildApp(services);
  await app.ready();
  let closed: Promise<void> | undefined;
  return {
    app, services, workers, keyPrefix,
    close: () => (closed ??= (async () => {
      await app.close();
      await services.close();
      await Promise.all(workers.map((w) => w.close()));
    })()),
  };
}

/** An in-process stack on a test Redis of its own; `close` closes the stack, then stops Redis and deletes its directory. */
export interface RedisBackedStack extends InProcessStack {
  redis: TestRedis;
}

/** Starts a test Redis and an in-process stack on it (the usual `before` of a test file). */
export async function startRedisBackedStack(options: InProcessStackOptions = {}): Promise<RedisBackedStack> {
  const redis = await startTestRedis();
  let stack: InProcessStack;
  try {
    stack = await startInProcessStack(redis.url, options);
  } catch (error) {
    await redis.dispose();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    ...stack, redis,
    close: () => (closed ??= stack.close().finally(() => redis.dispose())),
  };
}
