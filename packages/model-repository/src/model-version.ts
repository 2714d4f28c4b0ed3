import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ONNX_PLATFORM, type CacheConfig, type ModelMetadata, type TensorMetadata } from '@inferq/contract';
import { parseModelConfig, type ModelConfig } from './model-config.js';
import { readOnnxSignature } from './onnx-metadata.js';
import type { LoadedPipeline } from './pipeline-version.js';

/** Default max batch size for models whose inputs all start with a dynamic dimension. */
export const DEFAULT_MAX_BATCH_SIZE = 32;

/** One loaded version of a model: where its file is, its signature, its serving settings. */
export interface ModelVersion {
  name: string;
  version: string;
  modelPath: string;
  description?: string;
  labels?: string[];
  /** Effective max batch size (0 = no batching). */
  maxBatchSize: number;
  /** Effective max queue delay in ms. */
  maxQueueDelayMs: number;
  /** Preferred batch sizes (may be empty). */
  preferredBatchSizes: number[];
  /** Adaptive batching on. */
  adaptiveBatching: boolean;
  /** Queue bound from config.json; undefined = the API's MAX_QUEUE_SIZE. */
  maxQueueSize?: number;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  featureNames: Record<string, string[]>;
  /** Prediction cache settings (docs/cache.md); undefined = the version does not cache. */
  cache?: CacheConfig;
  /** Present when the version is a pipeline (`pipeline.json` instead of `model.onnx`; `modelPath` is then the pipeline.json). */
  pipeline?: LoadedPipeline;
}

/**
 * Loads `<dir>/model.onnx` and the optional `<dir>/config.json`. The signature comes from the
 * ONNX file; the config may fix dynamic dimensions (never change fixed ones).
 */
export function loadModelVersion(name: string, version: string, dir: string): ModelVersion {
  const modelPath = join(dir, 'model.onnx');
  const signature = readOnnxSignature(readFileSync(modelPath));
  let config: ModelConfig = {};
  const configPath = join(dir, 'config.json');
  let configText: string | undefined;
  try {
    configText = readFileSync(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (configText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(configText);
    } catch (error) {
      throw new Error(`${configPath}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    config = parseModelConfig(parsed, configPath);
  }

  const featureNames: Record<string, string[]> = {};
  const inputs = signature.inputs.map((input) => ({ ...input, shape: [...input.shape] }));
  for (const override of config.inputs ?? []) {
    const input = inputs.find((i) => i.name === override.name);
    if (!input) throw new Error(`${configPath}: inputs: "${override.name}" is not an input of the model (${inputs.map((i) => i.name).join(', ')})`);
    if (override.shape) {
      if (override.shape.length !== input.shape.length) {
        throw new Error(`${configPath}: input "${input.name}" shape has rank ${override.shape.length}, the model's has ${input.shape.length}`);
      }
      override.shape.forEach((dim, axis) => {
        const fixed = input.shape[axis]!;
        if (fixed !== -1 && dim !== fixed) throw new Error(`${configPath}: input "${input.name}" dimension ${axis} is fixed to ${fixed} in the model, not ${dim}`);
      });
      input.shape = [...override.shape];
    }
    if (override.featureNames) featureNames[input.name] = override.featureNames;
  }

  const batchable = inputs.every((i) => i.shape.length > 0 && i.shape[0] === -1);
  const maxBatchSize = config.maxBatchSize ?? (batchable ? DEFAULT_MAX_BATCH_SIZE : 0);
  if (maxBatchSize > 0 && !batchable) {
    throw new Error(`${configPath}: maxBatchSize ${maxBatchSize} needs every input's first dimension to be dynamic (-1)`);
  }
  const loaded: ModelVersion = {
    name, version, modelPath, maxBatchSize,
    maxQueueDelayMs: config.maxQueueDelayMs ?? 0,
    preferredBatchSizes: config.preferredBatchSizes ?? [],
    adaptiveBatching: config.adaptiveBatching ?? false,
    inputs, outputs: signature.outputs, featureNames,
  };
  if (config.maxQueueSize !== undefined) loaded.maxQueueSize = config.maxQueueSize;
  if (config.description !== undefined) loaded.description = config.description;
  if (config.labels !== undefined) loaded.labels = config.labels;
  if (config.cache !== undefined) loaded.cache = { ...config.cache };
  return loaded;
}

/** The v2 metadata document of a version. */
export function versionMetadata(model: ModelVersion, versions: string[]): ModelMetadata {
  return { name: model.name, versions, platform: ONNX_PLATFORM, inputs: model.inputs, outputs: model.outputs };
}
