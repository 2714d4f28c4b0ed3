/**
 * The processes of `npm start` and their lifetimes.
 *
 * Start: lock DATA_DIR, embedded redis-server (unless REDIS_URL), API, workers, monitor.
 * Stop (one signal to the launcher; the children and Redis run in process groups of their own,
 * so a Ctrl-C reaches only the launcher): API first (no new work), then the workers finish their
 * batches, then the monitor, then Redis flushes its AOF, with Redis up until its last client is
 * gone, so nobody logs connection errors on the way out.
 * The children stop by themselves when the launcher is gone (IPC channel closed, see runMain).
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { StartError, type RunningService } from '@inferq/env';
import type { Logger } from '@inferq/logger';
import { acquireDataDirLock, DataDirInUseError, type DataDirLock } from '@inferq/redis';
import { countStoredKeys, describeAccessControl } from './access-banner.js';
import { spawnApp, stopChild, whenStarted } from './child-process.js';
import type { LauncherConfig } from './config.js';
import { RedisSupervisor } from './redis-supervisor.js';

const API_ENTRY = 'apps/api/src/main.ts';
const WORKER_ENTRY = 'apps/worker/src/main.ts';
const MONITOR_ENTRY = 'apps/monitor/src/main.ts';
/** A worker that dies is restarted after this delay, at most this many times. */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTARTS = 10;
/** How long the API may take to report it is listening, and then to answer ready. */
const READY_TIMEOUT_MS = 60_000;

/**
 * Starts everything; resolves once the children are spawned (readiness and the banner follow in
 * the background, so a Ctrl-C during start-up still stops everything in order).
 * @param requestStop - asks runMain to stop the stack (the API exited, Redis cannot be restarted).
 */
export async function startStack(config: Readonly<LauncherConfig>, logger: Logger, requestStop: (reason: string, failed: boolean) => void): Promise<RunningService> {
  let lock: DataDirLock | undefined;
  let redis: RedisSupervisor | undefined;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    const dir = join(config.dataDir, 'redis');
    try {
      lock = await acquireDataDirLock(config.dataDir, logger);
      redis = await RedisSupervisor.start({
        dir, appendfsync: config.appendfsync, logger,
        onStarted: (server) => lock?.update(server),
        onGiveUp: () => requestStop('embedded redis-server could not be restarted', true),
      });
    } catch (error) {
      lock?.release();
      if (error instanceof DataDirInUseError) throw new StartError(error.message);
      throw new StartError((error as Error).message, { cause: error });
    }
    redisUrl = redis.url;
    logger.info({ redisUrl, redisPid: redis.pid, dir, appendfsync: config.appendfsync }, 'embedded redis-server started');
  }

  let stopping = false;
  // Batch inputs and results live beside the embedded Redis, under DATA_DIR, unless set apart.
  const batchDataDir = process.env.BATCH_DATA_DIR ?? join(config.dataDir, 'batches');
  const childEnv = (extra: Record<string, string>) => ({ ...process.env, REDIS_URL: redisUrl, LOG_LEVEL: config.logLevel, BATCH_DATA_DIR: batchDataDir, ...extra });
  const api = spawnApp(API_ENTRY, childEnv({ PORT: String(config.port), HOST: config.host }));
  const apiStarted = whenStarted(api);
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
  api.once('exit', (code) => requestStop(`api exited with code ${code}`, code !== 0));

  // Fire and forget: it logs its own failure and must not hold up start (see its comment).
  void announceWhenReady(config, logger, redisUrl, apiStarted, () => stopping);

  return {
    async close() {
      stopping = true;
      // The API first (no new work), then workers finish their batches, then the monitor, then
      // Redis flushes its AOF. Each step on its own, so one failure does not skip the rest.
      const steps: Array<[string, () => Promise<void>]> = [
        ['api', () => stopChild(api, 10_000)],
        ['workers', async () => { await Promise.all([...workers].map((w) => stopChild(w, 35_000))); }],
        ['monitor', async () => { if (monitor) await stopChild(monitor, 20_000); }],
        ['redis', async () => { await redis?.stop(); }],
      ];
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (error) {
          logger.error({ err: error, step: name }, 'error while stopping');
        }
      }
      lock?.release();
      logger.info('stopped');
    },
  };
}

/**
 * Waits until OUR API reports (over IPC) that it listens, then until it answers ready, then prints
 * the banner. Checking our own child first means an older stack still holding the port cannot
 * make this one look ready: our API would fail with EADDRINUSE and exit instead.
 */
async function announceWhenReady(config: Readonly<LauncherConfig>, logger: Logger, redisUrl: string, apiStarted: Promise<void>, stopping: () => boolean): Promise<void> {
  try {
    await withTimeout(apiStarted, READY_TIMEOUT_MS, 'the API did not start listening');
    const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
    await waitForReady(`${base}/v2/health/ready`, READY_TIMEOUT_MS);
    const access = describeAccessControl(await countStoredKeys(redisUrl, process.env), process.env);
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
      ...access,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'));
  } catch (error) {
    if (!stopping()) logger.error({ err: error }, 'inferq did not become ready');
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls our own API's readiness (bounded: until `timeoutMs`, every 200 ms). */
async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer ready within ${timeoutMs} ms`);
}
