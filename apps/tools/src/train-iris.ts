/**
 * CLI: trains the Iris classifier and writes a model-repository entry.
 *
 *   node --import tsx apps/tools/src/train-iris.ts [--out models/iris/1]
 *
 * Writes `model.onnx`, `config.json` and `reference.csv` (the training rows, kept as
 * the baseline for drift monitoring). The default output directory is resolved from
 * this file's location so the command works from any working directory; an explicit
 * `--out` is taken relative to the current directory, like any other path argument.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeIrisOnnxModel } from './iris-onnx-export.js';
import { IRIS_FEATURE_NAMES, IRIS_LABELS, selectRows, trainIrisClassifier } from './iris-training.js';
import type { IrisData } from './iris-training.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_OUT_DIR = join(REPO_ROOT, 'models', 'iris', '1');

/** The serving config written next to the model. */
function modelConfig(): object {
  return {
    description:
      'Iris species classifier (softmax regression on standardised features), trained by apps/tools/src/train-iris.ts on the real Iris data',
    maxBatchSize: 64,
    maxQueueDelayMs: 0,
    labels: [...IRIS_LABELS],
    inputs: [{ name: 'features', featureNames: [...IRIS_FEATURE_NAMES] }],
  };
}

/** CSV of raw feature values plus the label index, one line per row. */
function referenceCsv(rows: IrisData): string {
  const header = [...IRIS_FEATURE_NAMES, 'label'].join(',');
  const lines = rows.features.map((f, i) => [...f, rows.labels[i]].join(','));
  return [header, ...lines].join('\n') + '\n';
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = values.out ? resolve(values.out) : DEFAULT_OUT_DIR;

  const result = trainIrisClassifier();
  const train = selectRows(result.data, result.split.train);
  console.log(`train accuracy: ${percent(result.trainAccuracy)} (${result.split.train.length} rows)`);
  console.log(`test accuracy: ${percent(result.testAccuracy)} (${result.split.test.length} rows)`);
  console.log(`full-data accuracy: ${percent(result.fullAccuracy)} (${result.data.labels.length} rows)`);

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'model.onnx'), encodeIrisOnnxModel(result.classifier));
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(modelConfig(), null, 2) + '\n');
  writeFileSync(join(outDir, 'reference.csv'), referenceCsv(train));
  console.log(`wrote model.onnx, config.json, reference.csv to ${outDir}`);
}

main();
