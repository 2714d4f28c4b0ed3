import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InferqError } from '@inferq/contract';
import { loadModelRepository } from './model-repository.js';

const BUNDLED = new URL('../../../models/', import.meta.url).pathname;
const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fresh repository root. */
function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'inferq-repo-'));
  roots.push(root);
  return root;
}

/** `<root>/<name>/<version>/model.onnx` copied from a bundled model, plus an optional config. */
function addVersion(root: string, name: string, version: string, from: 'iris' | 'text-orientation', config?: unknown): string {
  const dir = join(root, name, version);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(BUNDLED, from, '1', 'model.onnx'), join(dir, 'model.onnx'));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

const inferqError = (code: string, pattern: RegExp) => (error: unknown) =>
  error instanceof InferqError && error.code === code && pattern.test(error.message);

describe('loadModelRepository', () => {
  it('loads every model and version, the highest version being the latest', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    addVersion(root, 'iris', '3', 'iris', { maxBatchSize: 4 });
    addVersion(root, 'iris', '10', 'iris', { maxBatchSize: 16 });
    addVersion(root, 'text-orientation', '2', 'text-orientation', { inputs: [{ name: 'x', shape: [-1, 3, 48, 192] }] });
    const { repository, errors } = loadModelRepository(root);
    assert.deepEqual(errors, []);
    assert.equal(repository.root, root);
    assert.deepEqual(repository.modelNames(), ['iris', 'text-orientation']);
    assert.deepEqual(repository.versions('iris'), ['1', '3', '10']); // numeric, not lexical
    const latest = repository.resolve('iris');
    assert.equal(latest.version, '10');
    assert.equal(latest.maxBatchSize, 16);
    assert.equal(repository.resolve('iris', '3').maxBatchSize, 4);
    assert.equal(repository.resolve('iris', '1').maxBatchSize, 32);
    assert.equal(repository.resolve('iris', '1').modelPath, join(root, 'iris', '1', 'model.onnx'));
    assert.deepEqual(repository.resolve('text-orientation').inputs[0]!.shape, [-1, 3, 48, 192]);
    assert.deepEqual(repository.all().map((m) => `${m.name}/${m.version}`), ['iris/1', 'iris/3', 'iris/10', 'text-orientation/2']);
  });

  it('throws MODEL_NOT_FOUND and VERSION_NOT_FOUND', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    addVersion(root, 'iris', '2', 'iris');
    const { repository } = loadModelRepository(root);
    assert.throws(() => repository.resolve('nope'), inferqError('MODEL_NOT_FOUND', /model "nope" is not in the repository/));
    assert.throws(() => repository.versions('nope'), inferqError('MODEL_NOT_FOUND', /"nope"/));
    assert.throws(() => repository.resolve('iris', '3'), inferqError('VERSION_NOT_FOUND', /model "iris" has no version "3" \(versions: 1, 2\)/));
    assert.throws(() => repository.resolve('iris', '01'), inferqError('VERSION_NOT_FOUND', /"01"/));
    assert.throws(() => repository.resolve('__proto__'), inferqError('MODEL_NOT_FOUND', /__proto__/));
    const error = (() => {
      try {
        repository.resolve('iris', '9');
      } catch (e) {
        return e as InferqError;
      }
      return undefined;
    })();
    assert.equal(error?.statusCode, 404);
  });

  it('reports a broken model.onnx and a bad config.json, and loads the rest', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    const brokenOnnx = addVersion(root, 'iris', '2', 'iris');
    writeFileSync(join(brokenOnnx, 'model.onnx'), 'not a model');
    const badConfig = addVersion(root, 'iris', '3', 'iris', '{"maxBatchSize": ');
    const unknownField = addVersion(root, 'text-orientation', '1', 'text-orientation', { batch: 8 });
    addVersion(root, 'text-orientation', '2', 'text-orientation');
    const { repository, errors } = loadModelRepository(root);
    assert.deepEqual(repository.versions('iris'), ['1']);
    assert.deepEqual(repository.versions('text-orientation'), ['2']);
    assert.equal(repository.resolve('iris').version, '1');
    assert.deepEqual(errors.map((e) => e.path).sort(), [brokenOnnx, badConfig, unknownField].sort());
    const byPath = new Map(errors.map((e) => [e.path, e.message]));
    assert.match(byPath.get(badConfig)!, /config\.json: not valid JSON/);
    assert.match(byPath.get(unknownField)!, /unknown field "batch"/);
    assert.ok(byPath.get(brokenOnnx)!.length > 0);
  });

  it('leaves out a model whose every version is broken', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    const dir = addVersion(root, 'broken', '1', 'iris', { inputs: [{ name: 'features', shape: [-1, 5] }] });
    const { repository, errors } = loadModelRepository(root);
    assert.deepEqual(repository.modelNames(), ['iris']);
    assert.throws(() => repository.resolve('broken'), inferqError('MODEL_NOT_FOUND', /broken/));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, dir);
    assert.match(errors[0]!.message, /dimension 1 is fixed to 4 in the model, not 5/);
  });

  it('reports version directories that are not positive integers, and ignores files', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    for (const bad of ['0', '01', 'v2', 'latest']) addVersion(root, 'iris', bad, 'iris');
    writeFileSync(join(root, 'iris', 'README.md'), 'notes');
    writeFileSync(join(root, 'README.md'), 'notes');
    const { repository, errors } = loadModelRepository(root);
    assert.deepEqual(repository.versions('iris'), ['1']);
    assert.deepEqual(errors.map((e) => e.path).sort(), ['0', '01', 'latest', 'v2'].map((v) => join(root, 'iris', v)));
    for (const error of errors) assert.match(error.message, /positive integers/);
  });

  it('reports model directories with invalid names', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    addVersion(root, '-dash', '1', 'iris');
    addVersion(root, 'with space', '1', 'iris');
    const { repository, errors } = loadModelRepository(root);
    assert.deepEqual(repository.modelNames(), ['iris']);
    assert.deepEqual(errors.map((e) => e.path).sort(), [join(root, '-dash'), join(root, 'with space')]);
    for (const error of errors) assert.match(error.message, /model name must match/);
  });

  it('reports a dangling symlink instead of throwing', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    symlinkSync(join(root, 'gone'), join(root, 'dangling'));
    symlinkSync(join(root, 'gone'), join(root, 'iris', '2'));
    const { repository } = loadModelRepository(root);
    assert.deepEqual(repository.modelNames(), ['iris']);
    assert.deepEqual(repository.versions('iris'), ['1']);
  });

  it('follows a symlinked model directory', () => {
    const root = newRoot();
    const elsewhere = newRoot();
    addVersion(elsewhere, 'iris', '1', 'iris');
    symlinkSync(join(elsewhere, 'iris'), join(root, 'flowers'));
    const { repository, errors } = loadModelRepository(root);
    assert.deepEqual(errors, []);
    assert.deepEqual(repository.modelNames(), ['flowers']);
  });

  it('with `only`, loads just the named models', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    addVersion(root, 'text-orientation', '1', 'text-orientation');
    const broken = addVersion(root, 'broken', '1', 'iris', 'nonsense');
    const { repository, errors } = loadModelRepository(root, ['iris']);
    assert.deepEqual(repository.modelNames(), ['iris']);
    assert.deepEqual(errors, []);
    assert.throws(() => repository.resolve('text-orientation'), inferqError('MODEL_NOT_FOUND', /text-orientation/));
    assert.ok(loadModelRepository(root).errors.some((e) => e.path === broken));
  });

  it('with `only`, reports named models that are not there', () => {
    const root = newRoot();
    addVersion(root, 'iris', '1', 'iris');
    const { repository, errors } = loadModelRepository(root, ['iris', 'missing']);
    assert.deepEqual(repository.modelNames(), ['iris']);
    assert.deepEqual(errors, [{ path: join(root, 'missing'), message: 'model not found in the repository' }]);
  });

  it('with `only`, does not report a named model as found when its only errors are in its own versions', () => {
    const root = newRoot();
    const broken = addVersion(root, 'iris', '1', 'iris', 'nonsense');
    const { errors } = loadModelRepository(root, ['iris']);
    assert.deepEqual(errors.map((e) => e.path), [broken]);
  });

  it('with `only`, reports a missing model even when a model whose name extends it has errors', () => {
    const root = newRoot();
    const broken = addVersion(root, 'iris2', '1', 'iris', 'nonsense');
    const { errors } = loadModelRepository(root, ['iris', 'iris2']);
    assert.deepEqual(errors.map((e) => e.path).sort(), [join(root, 'iris'), broken].sort());
  });

  it('gives an empty repository for an empty root', () => {
    const { repository, errors } = loadModelRepository(newRoot());
    assert.deepEqual(repository.modelNames(), []);
    assert.deepEqual(repository.all(), []);
    assert.deepEqual(errors, []);
  });

  it('throws when the root cannot be read', () => {
    assert.throws(() => loadModelRepository(join(newRoot(), 'does-not-exist')), /ENOENT/);
  });

  it('loads the bundled repository', () => {
    const { repository, errors } = loadModelRepository(BUNDLED);
    assert.deepEqual(errors, []);
    assert.deepEqual(repository.modelNames(), ['iris', 'iris-named', 'ocr', 'ocr-det', 'ocr-rec', 'text-orientation']);
    assert.ok(repository.resolve('iris-named').pipeline && repository.resolve('ocr').pipeline, 'the two bundled pipelines');
    const iris = repository.resolve('iris');
    assert.equal(iris.maxBatchSize, 64);
    assert.deepEqual(iris.labels, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(iris.featureNames.features, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  });
});
