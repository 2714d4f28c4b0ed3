import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewValue } from './value-preview.js';

describe('previewValue', () => {
  it('shows JSON values as JSON and non-finite numbers by name', () => {
    assert.equal(previewValue('3.5'), '"3.5"');
    assert.equal(previewValue(null), 'null');
    assert.equal(previewValue([1, 'a']), '[1,"a"]');
    assert.equal(previewValue({ a: 1 }), '{"a":1}');
    assert.equal(previewValue(true), 'true');
    assert.equal(previewValue(undefined), 'undefined');
    assert.equal(previewValue(Infinity), 'Infinity');
    assert.equal(previewValue(-Infinity), '-Infinity');
    assert.equal(previewValue(NaN), 'NaN');
  });

  it('cuts long values at maxLength with an ellipsis', () => {
    assert.equal(previewValue('z'.repeat(1_000)), `"${'z'.repeat(39)}…`);
    assert.equal(previewValue(Array.from({ length: 1_000 }, () => 1), 10), '[1,1,1,1,1…');
  });

  it('survives nesting too deep for JSON.stringify', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    assert.equal(previewValue(deep), '{…}');
    let deepArray: unknown = 1;
    for (let i = 0; i < 200_000; i++) deepArray = [deepArray];
    assert.equal(previewValue(deepArray), '[…]');
  });
});
