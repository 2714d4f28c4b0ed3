import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError } from '@inferq/env';
import { createLogger } from '@inferq/logger';
import { startEmbeddedRedis, type EmbeddedRedis } from '@inferq/redis';
import { spawnApp, stopChild } from './child-process.js';
import { loadLauncherConfig } from './config.js';

const API_ENTRY = 'apps/api/src/main.ts';
const WORKER_ENTRY = 'apps/worker/src/main.ts';
const MONITOR_ENTRY = 'apps/monitor/src/main.ts';
/** A worker that dies is restarted after this delay, at most this many times. */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTARTS = 10;

/**
 * `npm start`: one command for the whole service on one machine: an embedded Redis (unless
 * REDIS_URL is set), the API and WORKERS worker processes. Ctrl-C stops all of them in order.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadLauncherConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`inferq: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('launcher', config.logLevel);

  let redis: EmbeddedRedis | undefined;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    try {
      redis = await startEmbeddedRedis({ dir: join(config.dataDir, 'redis'), appendfsync: config.appendfsync });
    } catch (error) {
      console.error(`inferq: ${(error as Error).message}`);
      process.exit(1);
    }
    redisUrl = redis.url;
    logger.info({ redisUrl, dir: join(config.dataDir, 'redis'), appendfsync: config.appendfsync }, 'embedded redis-server started');
  }

  const childEnv = (extra: Record<string, string>) => ({ ...process.env, REDIS_URL: redisUrl, LOG_LEVEL: config.logLevel, ...extra });
  let stopping = false;
  const api = spawnApp(API_ENTRY, childEnv({ PORT: String(config.port), HOST: config.host }));
  const workers = new Set<ChildProcess>();
  let restarts = 0;
  const startWorker = () => {
    const worker = spawnApp(WORKER_ENTRY, childEnv({ ORT_INTRA_OP_THREADS: String(config.intraOpThreads) }));
    workers.add(worker);
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      if (restarts >= MAX_RESTARTS) {
        logger.error({ code, signal }, 'worker keeps exiting; not restarting it again');
        return;
      }
      restarts++;
      logger.warn({ code, signal, restarts }, 'worker exited; restarting');
      setTimeout(() => { if (!stopping) startWorker(); }, RESTART_DELAY_MS).unref();
    });
  };
  for (let i = 0; i < config.workers; i++) startWorker();
  // The monitor only reads the prediction log: if it dies, serving goes on (it is not restarted).
  const monitor = config.monitor ? spawnApp(MONITOR_ENTRY, childEnv({})) : undefined;

  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping api, workers and redis');
    // The API first (no new work), then workers finish their batches, then Redis flushes its AOF.
    await stopChild(api, 10_000);
    await Promise.all([...workers].map((w) => stopChild(w, 35_000)));
    if (monitor) await stopChild(monitor, 20_000);
    await redis?.stop();
    process.exit(exitCode);
  };
  api.once('exit', (code) => void shutdown(`api exited with code ${code}`, code === 0 ? 0 : 1));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));

  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  if (await waitForReady(`${base}/v2/health/ready`, 60_000)) {
    console.log([
      '',
      `inferq is ready: ${config.workers} worker(s), Redis at ${redisUrl}`,
      `  REST        POST ${base}/v1/models/{model}/predictions   GET ${base}/v1/predictions/{id}?wait=5000`,
      `  WebSocket   ${base.replace('http', 'ws')}/v1/ws`,
      `  v2 (sync)   POST ${base}/v2/models/{model}/infer`,
      `  models      ${base}/v1/models`,
      `  metrics     ${base}/metrics`,
      `  dashboard   ${base}/dashboard${config.monitor ? '' : '   (MONITOR=0: no monitor started)'}`,
      `  OpenAPI     ${base}/openapi.json`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'));
  } else if (!stopping) {
    logger.error('the API did not become ready within 60 s');
  }
}

async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

main().catch((error: Error) => {
  console.error(`inferq: failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
