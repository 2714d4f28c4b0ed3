import type { Redis } from 'ioredis';
import type { BatchingSettings, BatchingSettingsPatch, RedisKeys } from '@inferq/contract';
import type { ModelRepository, ModelVersion } from '@inferq/model-repository';
import { mergeBatchingSettings, readBatchingOverride, writeBatchingOverride } from '@inferq/queue';
import { redisCall } from './redis-call.js';

/** The batching settings of config.json for a version. */
function fileSettings(model: ModelVersion): BatchingSettings {
  return {
    maxBatchSize: Math.max(1, model.maxBatchSize),
    maxQueueDelayMs: model.maxQueueDelayMs,
    preferredBatchSizes: [...model.preferredBatchSizes],
    adaptive: model.adaptiveBatching,
  };
}

/** Reads and changes batching settings at run time (stored in Redis, pushed to workers). */
export class BatchingAdmin {
  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    readonly repository: ModelRepository,
    readonly timeoutMs: number,
  ) {}

  /** Settings in force and where they come from. Throws MODEL_NOT_FOUND / VERSION_NOT_FOUND. */
  async get(model: string, version: string): Promise<BatchingSettings & { source: 'config' | 'runtime' }> {
    const target = this.repository.resolve(model, version);
    const override = await redisCall(this.redis, this.timeoutMs, () => readBatchingOverride(this.redis, this.keys, target.name, target.version));
    return override ? { ...override, source: 'runtime' } : { ...fileSettings(target), source: 'config' };
  }

  /** Applies a partial change (checked by the route's `BatchingSettingsPatch` schema) on top of the settings in force. */
  async update(model: string, version: string, patch: BatchingSettingsPatch): Promise<BatchingSettings & { source: 'runtime' }> {
    const { source: _source, ...current } = await this.get(model, version);
    const next = mergeBatchingSettings(current, patch);
    await redisCall(this.redis, this.timeoutMs, () => writeBatchingOverride(this.redis, this.keys, model, version, next));
    return { ...next, source: 'runtime' };
  }

  /** Drops the run-time override: config.json applies again. */
  async reset(model: string, version: string): Promise<BatchingSettings & { source: 'config' }> {
    const target = this.repository.resolve(model, version);
    await redisCall(this.redis, this.timeoutMs, () => writeBatchingOverride(this.redis, this.keys, target.name, target.version, undefined));
    return { ...fileSettings(target), source: 'config' };
  }
}
