import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortBoxes } from './box-order.js';
import type { Quad } from './geometry.js';

const at = (name: string, x: number, y: number): { name: string; box: Quad } => ({ name, box: [[x, y], [x + 20, y], [x + 20, y + 10], [x, y + 10]] });

describe('sortBoxes (reading order)', () => {
  it('orders top to bottom, and left to right within a line despite a few px of jitter', () => {
    const sorted = sortBoxes([at('c', 10, 50), at('b', 80, 10), at('a', 10, 14), at('d', 60, 52)]);
    assert.deepEqual(sorted.map((b) => b.name), ['a', 'b', 'c', 'd']);
  });

  it('keeps lines more than the tolerance apart in vertical order', () => {
    const sorted = sortBoxes([at('right-lower', 80, 25), at('left-upper', 10, 10)]);
    assert.deepEqual(sorted.map((b) => b.name), ['left-upper', 'right-lower']);
  });
});
