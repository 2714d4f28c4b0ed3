import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseReferenceCsv } from './reference-csv.js';
import { buildReferenceProfile } from './reference-profile.js';
import { assertClose } from './testing.js';

const IRIS = new URL('../../../models/iris/1/reference.csv', import.meta.url);
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'label'];

describe('buildReferenceProfile', () => {
  const { rows } = parseReferenceCsv(readFileSync(IRIS, 'utf8'));
  const profile = buildReferenceProfile(rows, FEATURES);

  it('infers numeric measurements and a categorical integer label', () => {
    assert.equal(profile.rows, 120);
    assert.deepEqual(profile.featureNames, FEATURES);
    assert.deepEqual(FEATURES.map((f) => profile.features[f]!.type), ['numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
  });

  it('summarises numeric features and bins them for charts', () => {
    const petal = profile.features.petal_length!;
    assert.equal(petal.values.length, 120);
    assertClose(petal.summary!.mean!, 3.76, 'mean petal length', 1e-9); // python statistics.mean on the file
    assertClose(petal.summary!.std!, 1.7753, 'std petal length', 1e-4);
    assert.equal(petal.histogram!.counts.reduce((a, b) => a + b, 0), 120);
    assert.equal(petal.histogram!.edges.length, petal.histogram!.counts.length + 1);
  });

  it('counts categories', () => {
    assert.deepEqual(profile.features.label!.categories, [{ value: 0, count: 40 }, { value: 1, count: 40 }, { value: 2, count: 40 }]);
  });

  it('survives a JSON round trip unchanged', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(profile)), profile);
  });

  it('drops and counts missing values, honours given types', () => {
    const p = buildReferenceProfile([{ x: 1, y: 'a' }, { x: null, y: null }, { x: 3 }, { x: Number.NaN, y: 'b' }], ['x', 'y'], { types: { x: 'numeric' } });
    assert.deepEqual(p.features.x!.values, [1, 3]);
    assert.equal(p.features.x!.missing, 2);
    assert.equal(p.features.x!.type, 'numeric');
    assert.deepEqual(p.features.y!.values, ['a', 'b']);
    assert.equal(p.features.y!.missing, 2);
  });
});
