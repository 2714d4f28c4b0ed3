import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convexHull, insideQuad, minAreaRect, orderQuad, rectCorners, type Point } from './geometry.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} ≠ ${b}`);

describe('geometry', () => {
  it('convexHull drops inner and collinear points', () => {
    const hull = convexHull([[0, 0], [2, 0], [4, 0], [4, 3], [0, 3], [2, 1], [1, 2]]);
    assert.deepEqual(new Set(hull.map((p) => p.join(','))), new Set(['0,0', '4,0', '4,3', '0,3']));
  });

  it('minAreaRect of an axis-aligned box is the box', () => {
    const rect = minAreaRect([[10, 20], [50, 20], [50, 30], [10, 30], [30, 25]]);
    close(rect.width * rect.height, 400, 'area');
    assert.deepEqual(rectCorners(rect).map((p) => p.map((v) => Math.round(v))), [[10, 20], [50, 20], [50, 30], [10, 30]]);
  });

  it('minAreaRect finds a rotated rectangle', () => {
    // A 40 × 10 rectangle turned by 30° about (100, 100).
    const a = Math.PI / 6;
    const corners: Point[] = [[-20, -5], [20, -5], [20, 5], [-20, 5]].map(([x, y]) => [100 + x! * Math.cos(a) - y! * Math.sin(a), 100 + x! * Math.sin(a) + y! * Math.cos(a)]);
    const rect = minAreaRect([...corners, [100, 100], [105, 103]]);
    close(Math.max(rect.width, rect.height), 40, 'long side');
    close(Math.min(rect.width, rect.height), 10, 'short side');
    close(rect.center[0], 100, 'cx');
    close(rect.center[1], 100, 'cy');
  });

  it('orderQuad puts the corners clockwise from the top-left', () => {
    assert.deepEqual(orderQuad([[10, 30], [50, 31], [10, 20], [50, 19]]), [[10, 20], [50, 19], [50, 31], [10, 30]]);
  });

  it('insideQuad', () => {
    const quad = orderQuad([[0, 0], [10, 0], [10, 5], [0, 5]]);
    assert.equal(insideQuad(quad, 5, 2), true);
    assert.equal(insideQuad(quad, 0, 0), true);
    assert.equal(insideQuad(quad, 11, 2), false);
  });
});
