import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModelRepository } from './model-repository.js';

const BUNDLED = new URL('../../../models/', import.meta.url).pathname;
const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A repository with iris 1 and one pipeline `p` version 1 holding `pipeline`. */
function repositoryWith(pipeline: unknown, files: Record<string, string> = {}): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'inferq-pipeline-'));
  roots.push(root);
  mkdirSync(join(root, 'iris', '1'), { recursive: true });
  copyFileSync(join(BUNDLED, 'iris', '1', 'model.onnx'), join(root, 'iris', '1', 'model.onnx'));
  const dir = join(root, 'p', '1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pipeline.json'), typeof pipeline === 'string' ? pipeline : JSON.stringify(pipeline));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { root, dir };
}

const valid = (steps: unknown[], from = 'probs.probabilities') => ({
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3], from }],
  steps,
});
const irisStep = { id: 'probs', model: 'iris', inputs: { features: '$input.x' } };

/** The load error of `p/1`. */
function loadError(pipeline: unknown, files?: Record<string, string>): string {
  const { root, dir } = repositoryWith(pipeline, files);
  const { repository, errors } = loadModelRepository(root);
  assert.deepEqual(repository.modelNames(), ['iris'], 'the broken pipeline is left out, the model serves');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0]!.path, dir);
  return errors[0]!.message;
}

describe('pipeline versions in the repository', () => {
  it('loads a pipeline beside its model, with the declared signature and the pinned step model', () => {
    const { root } = repositoryWith(valid([irisStep]));
    const { repository, errors } = loadModelRepository(root);
    assert.deepEqual(errors, []);
    assert.deepEqual(repository.modelNames(), ['iris', 'p']);
    const p = repository.resolve('p');
    assert.deepEqual(p.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]);
    assert.equal(p.maxBatchSize, 32);
    assert.equal(p.pipeline!.stepModels.get('probs'), repository.resolve('iris', '1'));
  });
  it('with `only`, loads the models its steps run without serving them', () => {
    const { root } = repositoryWith(valid([irisStep]));
    const { repository, errors } = loadModelRepository(root, ['p']);
    assert.deepEqual(errors, []);
    assert.deepEqual(repository.modelNames(), ['p']);
    assert.equal(repository.resolve('p').pipeline!.stepModels.get('probs')!.name, 'iris');
  });
  it('reports an unknown model or version, an unknown processor, bad options, a missing module', () => {
    assert.match(loadError(valid([{ ...irisStep, model: 'tulip' }])), /step "probs": model "tulip" is not in the repository/);
    assert.match(loadError(valid([{ ...irisStep, version: '7' }])), /step "probs": model "iris" has no loaded version "7"/);
    assert.match(loadError(valid([irisStep, { id: 'l', processor: 'labelz', inputs: { input: 'probs.probabilities' } }], 'l.output')), /unknown processor "labelz" \(known: named-features, image, softmax/);
    assert.match(loadError(valid([irisStep, { id: 'l', processor: 'labels', options: { labels: 'abc' }, inputs: { input: 'probs.probabilities' } }], 'l.output')), /steps\[1\] "l": option "labels" must be a non-empty array/);
    assert.match(loadError(valid([irisStep, { id: 'm', module: './steps/gone.js', inputs: { input: 'probs.probabilities' } }], 'm.output')), /module "\.\/steps\/gone\.js" does not exist/);
  });
  it('reports model steps whose inputs or outputs do not match the model', () => {
    assert.match(loadError(valid([{ ...irisStep, inputs: { x: '$input.x' } }])), /inputs must be exactly the model's inputs \(features\), not x/);
    assert.match(loadError(valid([irisStep], 'probs.logits')), /model iris:1 has no output "logits" \(probabilities, label\)/);
  });
  it('reports a cycle, a bad pipeline.json and an unknown field', () => {
    assert.match(loadError(valid([
      { id: 'a', processor: 'softmax', inputs: { input: 'b.output' } },
      { id: 'b', processor: 'softmax', inputs: { input: 'a.output' } },
    ], 'b.output')), /the steps form a cycle: a → b → a|the steps form a cycle: b → a → b/);
    assert.match(loadError('{"inputs": '), /pipeline\.json: not valid JSON/);
    assert.match(loadError({ ...valid([irisStep]), batching: 3 }), /unknown field "batching"/);
    assert.match(loadError({ ...valid([irisStep]), inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4], format: 'named-features' }] }), /format named-features but no featureNames/);
  });
  it('refuses a step that names another pipeline', () => {
    const { root } = repositoryWith(valid([irisStep]));
    const outer = join(root, 'outer', '1');
    mkdirSync(outer, { recursive: true });
    writeFileSync(join(outer, 'pipeline.json'), JSON.stringify(valid([{ ...irisStep, model: 'p' }])));
    const { errors } = loadModelRepository(root);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /"p" is a pipeline; a model step must name a model/);
  });
});
