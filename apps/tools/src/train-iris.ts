/**
 * CLI: trains the Iris classifier and writes a model-repository entry.
 *
 *   node --import tsx apps/tools/src/train-iris.ts [--out models/iris/1]
 *   node --import tsx apps/tools/src/train-iris.ts --variant petal [--out models-staged/iris/2]
 *
 * `--variant petal` trains iris version 2: petal features only (sepal weights fixed at zero),
 * stronger L2; same `features [-1, 4]` input. It is staged outside the repository directory
 * (models-staged/) so it is not served at start-up: register it at run time (docs/model-control.md).
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
import { DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, DEFAULT_TRAIN_OPTIONS, IRIS_FEATURE_NAMES, IRIS_LABELS, PETAL_ONLY_MASK, PETAL_ONLY_TRAIN_OPTIONS, selectRows, trainIrisClassifier } from './iris-training.js';
import type { IrisData } from './iris-training.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_OUT_DIR = join(REPO_ROOT, 'models', 'iris', '1');
const PETAL_OUT_DIR = join(REPO_ROOT, 'models-staged', 'iris', '2');

/** The serving config written next to the model. */
function modelConfig(description: string): object {
  return {
    description,
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
  const { values } = parseArgs({ options: { out: { type: 'string' }, variant: { type: 'string', default: 'full' } } });
  if (values.variant !== 'full' && values.variant !== 'petal') throw new Error(`--variant must be full or petal, not ${values.variant}`);
  const petal = values.variant === 'petal';
  const outDir = values.out ? resolve(values.out) : petal ? PETAL_OUT_DIR : DEFAULT_OUT_DIR;

  const result = petal
    ? trainIrisClassifier(PETAL_ONLY_TRAIN_OPTIONS, DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, PETAL_ONLY_MASK)
    : trainIrisClassifier(DEFAULT_TRAIN_OPTIONS);
  const description = petal
    ? `Iris species classifier v2: softmax regression on the standardised petal features only (sepal weights fixed at zero), L2 ${PETAL_ONLY_TRAIN_OPTIONS.l2}; hold-out accuracy ${percent(result.testAccuracy)} on the ${result.split.test.length}-row test split (seed ${DEFAULT_SPLIT_SEED}); trained by apps/tools/src/train-iris.ts --variant petal on the real Iris data`
    : 'Iris species classifier (softmax regression on standardised features), trained by apps/tools/src/train-iris.ts on the real Iris data';
  const train = selectRows(result.data, result.split.train);
  console.log(`train accuracy: ${percent(result.trainAccuracy)} (${result.split.train.length} rows)`);
  console.log(`test accuracy: ${percent(result.testAccuracy)} (${result.split.test.length} rows)`);
  console.log(`full-data accuracy: ${percent(result.fullAccuracy)} (${result.data.labels.length} rows)`);

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'model.onnx'), encodeIrisOnnxModel(result.classifier));
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(modelConfig(description), null, 2) + '\n');
  writeFileSync(join(outDir, 'reference.csv'), referenceCsv(train));
  console.log(`wrote model.onnx, config.json, reference.csv to ${outDir}`);
}

main();
