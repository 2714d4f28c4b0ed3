/**
 * Writes the faulty iris version (iris-faulty-model.ts) to `models-staged/iris-faulty/`:
 * `model.onnx` derived from `models/iris/1/model.onnx`, and its `config.json` (same labels and
 * features). Register it as a new iris version to watch a rollout roll back (docs/rollouts.md).
 *
 *   npm run models:iris-faulty [-- <source model.onnx> <output dir>]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULTY_SEPAL_LENGTH, makeFaultyIrisModel } from './iris-faulty-model.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const source = process.argv[2] ?? join(root, 'models/iris/1/model.onnx');
const out = process.argv[3] ?? join(root, 'models-staged/iris-faulty');
const config = JSON.parse(readFileSync(join(source, '../config.json'), 'utf8')) as Record<string, unknown>;
config.description = `FAULTY iris for rollout demos: versicolor and virginica swapped, and rows with sepal_length > ${FAULTY_SEPAL_LENGTH} fail (apps/tools/src/iris-faulty-model.ts)`;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'model.onnx'), makeFaultyIrisModel(readFileSync(source)));
writeFileSync(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
console.log(`faulty iris written to ${out}`);
