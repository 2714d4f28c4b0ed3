import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ONNX_PLATFORM, type CacheConfig, type ModelMetadata, type OnnxRuntimeConfig, type TensorMetadata } from '@inferq/contract';
import { parseModelConfig, type ModelConfig } from './model-config.js';
import { readOnnxSignature, type OnnxSignature } from './onnx-metadata.js';
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
  /** SHA-256 of the ONNX file in the model store: set for versions registered at run time only. */
  sha256?: string;
  /** Prediction cache settings (docs/cache.md); undefined = the version does not cache. */
  cache?: CacheConfig;
  /** onnxruntime session options over the worker's defaults; undefined = the worker's defaults. */
  onnxruntime?: OnnxRuntimeConfig;
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
  return buildModelVersion({ name, version, modelPath, signature, config, configSource: configPath });
}

/** What a version is made of, wherever its file and config came from (a directory, a registration). */
export interface ModelVersionParts {
  name: string;
  version: string;
  /** Where the ONNX file is (or will be, once a worker fetched it). */
  modelPath: string;
  /** Inputs and outputs read from the ONNX file (`readOnnxSignature`). */
  signature: Pick<OnnxSignature, 'inputs' | 'outputs'>;
  /** A config already checked by `parseModelConfig`. */
  config: ModelConfig;
  /** Names the config in errors (a path, or `config`). */
  configSource: string;
}

/**
 * Merges a signature with its config: the config may fix dynamic dimensions (never change fixed
 * ones), name features, and set the serving settings. Throws an Error starting with `configSource`.
 */
export function buildModelVersion({ name, version, modelPath, signature, config, configSource }: ModelVersionParts): ModelVersion {
  const featureNames: Record<string, string[]> = {};
  const inputs = signature.inputs.map((input) => ({ ...input, shape: [...input.shape] }));
  for (const override of config.inputs ?? []) {
    const input = inputs.find((i) => i.name === override.name);
    if (!input) throw new Error(`${configSource}: inputs: "${override.name}" is not an input of the model (${inputs.map((i) => i.name).join(', ')})`);
    if (override.shape) {
      if (override.shape.length !== input.shape.length) {
        throw new Error(`${configSource}: input "${input.name}" shape has rank ${override.shape.length}, the model's has ${input.shape.length}`);
      }
      override.shape.forEach((dim, axis) => {
        const fixed = input.shape[axis]!;
        if (fixed !== -1 && dim !== fixed) throw new Error(`${configSource}: input "${input.name}" dimension ${axis} is fixed to ${fixed} in the model, not ${dim}`);
      });
      input.shape = [...override.shape];
    }
    if (override.featureNames) featureNames[input.name] = override.featureNames;
  }

  const batchable = inputs.every((i) => i.shape.length > 0 && i.shape[0] === -1);
  const maxBatchSize = config.maxBatchSize ?? (batchable ? DEFAULT_MAX_BATCH_SIZE : 0);
  if (maxBatchSize > 0 && !batchable) {
    throw new Error(`${configSource}: maxBatchSize ${maxBatchSize} needs every input's first dimension to be dynamic (-1)`);
  }
  const loaded: ModelVersion = {
    name, version, modelPath, maxBatchSize,
    maxQueueDelayMs: config.maxQueueDelayMs ?? 0,
    preferredBatchSizes: config.preferredBatchSizes ?? [],
    adaptiveBatching: config.adaptiveBatching ?? false,
    inputs, outputs: signature.outputs.map((o) => ({ ...o, shape: [...o.shape] })), featureNames,
  };
  if (config.maxQueueSize !== undefined) loaded.maxQueueSize = config.maxQueueSize;
  if (config.description !== undefined) loaded.description = config.description;
  if (config.labels !== undefined) loaded.labels = config.labels;
  if (config.cache !== undefined) loaded.cache = { ...config.cache };
  if (config.onnxruntime !== undefined) loaded.onnxruntime = { ...config.onnxruntime };
  return loaded;
}

/** The v2 metadata document of a version. */
export function versionMetadata(model: ModelVersion, versions: string[]): ModelMetadata {
  return { name: model.name, versions, platform: ONNX_PLATFORM, inputs: model.inputs, outputs: model.outputs };
}
