import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbPostprocess, resolveDbOptions } from './db-postprocess.js';

/** A `size × size` map, 0.05 everywhere, `p` inside the given [x0, y0, x1, y1] rectangles (inclusive). */
function syntheticMap(size: number, rects: readonly (readonly [number, number, number, number, number])[]): Float32Array {
  const map = new Float32Array(size * size).fill(0.05);
  for (const [x0, y0, x1, y1, p] of rects) {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) map[y * size + x] = p;
  }
  return map;
}

describe('dbPostprocess (synthetic probability maps)', () => {
  const geometry = { srcWidth: 64, srcHeight: 64, width: 64, height: 64 };

  it('finds one box per text region, grown by the unclip offset, and drops weak and tiny ones', () => {
    const map = syntheticMap(64, [
      [10, 10, 40, 17, 0.9], // a text line: 31 × 8 pixels
      [10, 40, 30, 47, 0.5], // above the pixel threshold, below the box threshold: dropped
      [50, 50, 51, 51, 0.95], // 2 × 2: too small
    ]);
    const boxes = dbPostprocess(map, 64, geometry);
    assert.equal(boxes.length, 1);
    const [{ box, score }] = boxes as [typeof boxes[0]];
    assert.ok(Math.abs(score - 0.9) < 1e-6, `score ${score}`);
    // Pixel centres span 30 × 7; offset = 30·7·1.5 / (2·37) ≈ 4.26 on every side.
    assert.deepEqual(box, [[6, 6], [44, 6], [44, 21], [6, 21]]);
  });

  it('maps boxes back to the source size and ignores the padding', () => {
    // The source was 256 × 128, shrunk to 64 × 32 inside a 64 × 64 map.
    const map = syntheticMap(64, [[8, 8, 40, 15, 0.9], [8, 40, 40, 50, 0.99]]);
    const boxes = dbPostprocess(map, 64, { srcWidth: 256, srcHeight: 128, width: 64, height: 32 });
    assert.equal(boxes.length, 1);
    const xs = boxes[0]!.box.map((p) => p[0]);
    const ys = boxes[0]!.box.map((p) => p[1]);
    assert.ok(Math.min(...xs) >= 0 && Math.max(...xs) <= 256 && Math.min(...ys) >= 0 && Math.max(...ys) <= 128);
    assert.ok(Math.max(...xs) - Math.min(...xs) > 4 * 32, 'scaled ×4 horizontally');
  });

  it('keeps neighbouring lines apart and honours maxCandidates', () => {
    const map = syntheticMap(64, [[5, 5, 55, 12, 0.9], [5, 20, 55, 27, 0.9], [5, 35, 55, 42, 0.9]]);
    assert.equal(dbPostprocess(map, 64, geometry).length, 3);
    assert.equal(dbPostprocess(map, 64, geometry, { maxCandidates: 2 }).length, 2);
  });

  it('finds nothing in an empty map', () => {
    assert.deepEqual(dbPostprocess(new Float32Array(64 * 64), 64, geometry), []);
  });

  it('refuses bad options by name', () => {
    assert.throws(() => resolveDbOptions({ threshold: 1.5 }), /threshold must be/);
    assert.throws(() => resolveDbOptions({ maxCandidates: 0 }), /maxCandidates must be/);
  });
});
