import type { ModelVersion } from '@inferq/model-repository';
import type { SessionOptions } from './onnx-session.js';

/**
 * The onnxruntime options a version's session is created with: the worker's defaults
 * (`ORT_INTRA_OP_THREADS`, `ORT_ALLOW_SPINNING`, the device) under the version's own
 * `onnxruntime` block of `config.json`, field by field.
 */
export function sessionOptionsOf(version: Pick<ModelVersion, 'onnxruntime'>, defaults: SessionOptions): SessionOptions {
  const own = version.onnxruntime;
  if (!own) return defaults;
  const options: SessionOptions = { ...defaults };
  if (own.intraOpThreads !== undefined) options.intraOpThreads = own.intraOpThreads;
  if (own.allowSpinning !== undefined) options.allowSpinning = own.allowSpinning;
  if (own.interOpThreads !== undefined) options.interOpThreads = own.interOpThreads;
  if (own.graphOptimizationLevel !== undefined) options.graphOptimizationLevel = own.graphOptimizationLevel;
  if (own.executionMode !== undefined) options.executionMode = own.executionMode;
  if (own.enableCpuMemArena !== undefined) options.enableCpuMemArena = own.enableCpuMemArena;
  if (own.enableMemPattern !== undefined) options.enableMemPattern = own.enableMemPattern;
  return options;
}
