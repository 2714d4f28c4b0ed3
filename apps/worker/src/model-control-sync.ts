import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { parseRegistry, parseVersionRecord, registryField, type ModelControlEvent, type RedisKeys, type VersionRecord } from '@inferq/contract';
import { registeredModelVersion, type ModelRepository } from '@inferq/model-repository';
import { waitUntilReady } from '@inferq/redis';
import type { Logger } from '@inferq/logger';
import type { ModelHost } from './model-host.js';

/** What keeps a worker's models in step with the model registry. */
export interface ModelControlSyncOptions {
  /** A connection this module owns and puts in subscriber mode. */
  subscriber: Redis;
  redis: Redis;
  keys: RedisKeys;
  repository: ModelRepository;
  host: ModelHost;
  /** Where local copies of registered model files are kept (`<dir>/<sha256>.onnx`). */
  cacheDir: string;
  /** `MODELS`: only these model names (empty = all). */
  only: readonly string[];
  logger: Logger;
}

/** The started sync: `stop` ends listening. */
export interface ModelControlSync {
  stop(): Promise<void>;
}

/**
 * Reads the registry once (a worker started later catches up: registered versions join the
 * repository, unloaded ones are not loaded), then applies every change announced on
 * `{prefix}:events:model-control`: loads in the background, unloads by draining. Call before
 * loading the repository's versions.
 */
export async function startModelControlSync(options: ModelControlSyncOptions): Promise<ModelControlSync> {
  const { subscriber, redis, keys, repository, host, logger } = options;
  const wanted = (model: string) => options.only.length === 0 || options.only.includes(model);
  const malformed = (text: string) => logger.warn({ entry: text.slice(0, 200) }, 'ignored a malformed model registry entry');
  /** Makes a registered version known to the repository; false when it cannot be (bad entry). */
  const adopt = (record: VersionRecord): boolean => {
    if (!record.registered) return repository.versions(record.model).includes(record.version);
    try {
      if (!repository.modelNames().includes(record.model) || !repository.versions(record.model).includes(record.version)) {
        repository.register(registeredModelVersion(record, join(options.cacheDir, `${record.registered.sha256}.onnx`)));
      }
      return true;
    } catch (error) {
      logger.warn({ model: record.model, version: record.version, err: error }, 'ignored a registry entry that does not build a model version');
      return false;
    }
  };

  const apply = async (event: ModelControlEvent) => {
    if (event.kind !== 'desired' || !wanted(event.model)) return;
    const field = registryField(event.model, event.version);
    const text = await redis.hget(keys.modelRegistry, field);
    const record = parseVersionRecord(text, field);
    if (text !== null && !record) malformed(text);
    if (!record || (!record.registered && !repository.modelNames().includes(record.model)) || !adopt(record)) return;
    if (record.desired === 'unloaded') await host.unload(record.model, record.version);
    else await host.load(record.model, record.version).catch(() => {}); // reported FAILED by the host
  };
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== keys.modelControlChannel) return;
    let event: ModelControlEvent;
    try {
      event = JSON.parse(message) as ModelControlEvent;
    } catch {
      return;
    }
    // Not awaited: a load or a drain takes long, other changes apply meanwhile.
    apply(event).catch((error: Error) => logger.warn({ err: error, event }, 'could not apply a model control change'));
  });
  subscriber.on('error', (error: Error) => logger.warn({ err: error }, 'model control subscriber connection error'));
  await waitUntilReady(subscriber, 30_000);
  // Subscribed before reading: a change made meanwhile is both read and announced (applying
  // one twice is harmless), never missed.
  await subscriber.subscribe(keys.modelControlChannel);
  const registry = parseRegistry(await redis.hgetall(keys.modelRegistry), (_field, text) => malformed(text));
  for (const record of registry.values()) {
    if (!wanted(record.model)) continue;
    if (record.desired === 'unloaded') host.markUnloaded(record.model, record.version);
    if (!record.registered && !repository.modelNames().includes(record.model)) continue;
    adopt(record);
  }

  return {
    async stop() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
