import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jensenShannonDistance, jensenShannonDrift } from './jensen-shannon.js';
import { assertClose, fixture } from './testing.js';

interface JsFixture {
  published: Array<{ p: number[]; q: number[]; base: number | null; distance: number }>;
  numeric: Array<{ reference: number[]; current: number[]; edges: number[]; distance: number }>;
  categorical: Array<{ reference: string[]; current: string[]; distance: number }>;
}
const data = fixture<JsFixture>('jensen-shannon.json');

describe('jensenShannonDistance', () => {
  it('reproduces the scipy documentation examples', () => {
    for (const { p, q, base, distance } of data.published) {
      assertClose(jensenShannonDistance(p, q, base ?? undefined), distance, `js(${p}; ${q})`);
    }
  });

  it('is bounded by 1 in base 2 and by √ln 2 in natural log', () => {
    assertClose(jensenShannonDistance([1, 0], [0, 1], 2), 1, 'disjoint, base 2', 1e-15);
    assertClose(jensenShannonDistance([1, 0], [0, 1]), Math.sqrt(Math.LN2), 'disjoint, natural log', 1e-15);
    assert.equal(jensenShannonDistance([0.3, 0.7], [0.3, 0.7]), 0);
  });
});

describe('jensenShannonDrift (Evidently binning)', () => {
  it('numeric samples: Sturges bins over both, matching the reference implementation', () => {
    for (const [i, { reference, current, distance }] of data.numeric.entries()) {
      assertClose(jensenShannonDrift(reference, current), distance, `numeric case ${i}`);
    }
  });

  it('categorical samples: per value', () => {
    for (const [i, { reference, current, distance }] of data.categorical.entries()) {
      assertClose(jensenShannonDrift(reference, current), distance, `categorical case ${i}`);
    }
  });
});
