import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchingChange, RedisKeys } from '@inferq/contract';
import { waitUntilReady } from '@inferq/redis';
import { readBatchingOverride } from '@inferq/queue';
import type { Logger } from '@inferq/logger';
import type { ModelVersionServer } from './model-version-server.js';

/** What keeps a worker's batching settings in step with run-time changes. */
export interface BatchingSyncOptions {
  /** A connection this module owns and puts in subscriber mode. */
  subscriber: Redis;
  redis: Redis;
  keys: RedisKeys;
  servers: () => Promise<ModelVersionServer[]>;
  /** The BullMQ worker of each model: its concurrency follows the largest batch size. */
  workers: ReadonlyMap<string, Worker>;
  concurrencyFactor: number;
  logger: Logger;
}

/**
 * Applies stored overrides at start and every change announced on `{prefix}:events:batching`
 * afterwards, so `PUT .../batching` reaches every worker within a round trip, no restart.
 * Returns the function that stops listening.
 */
export async function startBatchingSync(options: BatchingSyncOptions): Promise<() => Promise<void>> {
  const { subscriber, redis, keys, logger } = options;
  const refresh = async (server: ModelVersionServer) => {
    server.applyBatching(await readBatchingOverride(redis, keys, server.model.name, server.model.version));
  };
  const resizeWorker = async (model: string) => {
    const worker = options.workers.get(model);
    if (!worker) return;
    const sizes = (await options.servers()).filter((s) => s.model.name === model).map((s) => s.batching.maxBatchSize);
    // Enough jobs in hand that the next batch fills while the current one computes.
    worker.concurrency = Math.max(1, ...sizes) * options.concurrencyFactor;
  };

  for (const server of await options.servers()) await refresh(server);
  for (const model of options.workers.keys()) await resizeWorker(model);

  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== keys.batchingChannel) return;
    void (async () => {
      const change = JSON.parse(message) as BatchingChange;
      const server = (await options.servers()).find((s) => s.model.name === change.model && s.model.version === change.version);
      if (!server) return;
      await refresh(server);
      await resizeWorker(change.model);
    })().catch((error: Error) => logger.warn({ err: error }, 'could not apply a batching change'));
  });
  subscriber.on('error', (error: Error) => logger.warn({ err: error }, 'batching subscriber connection error'));
  // Subscribe only once ready: a SUBSCRIBE queued before ioredis's ready check turns the
  // connection into subscriber mode and the check's INFO then fails.
  await waitUntilReady(subscriber, 30_000);
  await subscriber.subscribe(keys.batchingChannel);
  return async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  };
}
