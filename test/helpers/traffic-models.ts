/**
 * A temporary model repository for traffic tests: iris version 1 (the bundled model), version 2
 * (the same softmax regression trained for only a few epochs: a real, different model whose
 * outputs differ from v1's and whose class differs on part of the inputs) and version 3 (v1's
 * model with its input fixed to 2 rows and batching off: any 1-row job fails on the worker, a
 * faulty version for shadow failures).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIrisOnnxModel } from '../../apps/tools/src/iris-onnx-export.js';
import { DEFAULT_TRAIN_OPTIONS, IRIS_FEATURE_NAMES, IRIS_LABELS, trainIrisClassifier } from '../../apps/tools/src/iris-training.js';
import { MODELS_DIR } from './in-process-stack.js';

/** The repository's directory and how to remove it. */
export interface TrafficModels {
  dir: string;
  dispose(): void;
}

/** Writes iris versions 1, 2 and 3 (see the file comment) under a new temporary directory. */
export function createTrafficModels(): TrafficModels {
  const dir = mkdtempSync(join(tmpdir(), 'inferq-traffic-models-'));
  const iris = join(dir, 'iris');
  cpSync(join(MODELS_DIR, 'iris', '1'), join(iris, '1'), { recursive: true });

  cpSync(join(MODELS_DIR, 'iris', '1'), join(iris, '2'), { recursive: true });
  const undertrained = trainIrisClassifier({ ...DEFAULT_TRAIN_OPTIONS, epochs: 3, learningRate: 0.05 });
  writeFileSync(join(iris, '2', 'model.onnx'), encodeIrisOnnxModel(undertrained.classifier));

  cpSync(join(MODELS_DIR, 'iris', '1'), join(iris, '3'), { recursive: true });
  writeFileSync(join(iris, '3', 'config.json'), JSON.stringify({
    description: 'iris v1 with its input fixed to 2 rows: 1-row requests fail (a faulty version for tests)',
    maxBatchSize: 0,
    labels: [...IRIS_LABELS],
    inputs: [{ name: 'features', shape: [2, 4], featureNames: [...IRIS_FEATURE_NAMES] }],
  }));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
