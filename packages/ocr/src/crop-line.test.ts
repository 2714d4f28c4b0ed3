import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropLine, lineWidth, rotateLine180 } from './crop-line.js';
import type { RgbImage } from './image.js';
import { linesToTensor, recTensorWidth } from './line-tensor.js';

/** A 100 × 50 image: red left half, blue right half. */
function halves(): RgbImage {
  const data = new Uint8Array(100 * 50 * 3);
  for (let y = 0; y < 50; y++) for (let x = 0; x < 100; x++) data.set(x < 50 ? [255, 0, 0] : [0, 0, 255], (y * 100 + x) * 3);
  return { width: 100, height: 50, data };
}

describe('line crops and tensors', () => {
  it('crops a box to the requested height, keeping left and right', () => {
    const box = [[20, 10], [80, 10], [80, 40], [20, 40]] as const;
    assert.equal(lineWidth(box, 48), 96);
    const line = cropLine(halves(), box, 48, 96);
    assert.deepEqual([...line.data.subarray(0, 3)], [255, 0, 0]);
    assert.deepEqual([...line.data.subarray(line.data.length - 3)], [0, 0, 255]);
  });

  it('rotateLine180 swaps the corners', () => {
    const line = { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    assert.deepEqual([...rotateLine180(line).data], [4, 5, 6, 1, 2, 3]);
  });

  it('linesToTensor normalises to [-1, 1] in BGR order and pads with zeros', () => {
    const line = { width: 1, height: 2, data: new Uint8Array([255, 0, 0, 0, 0, 255]) };
    const t = linesToTensor([line], 2, 3);
    // channel 0 = blue: row 0 (red) → -1, row 1 (blue) → 1; padding columns 0.
    assert.deepEqual([...t.subarray(0, 6)], [-1, 0, 0, 1, 0, 0]);
    assert.deepEqual([...t.subarray(12, 18)], [1, 0, 0, -1, 0, 0]);
  });

  it('recTensorWidth buckets widths, at least the minimum', () => {
    assert.equal(recTensorWidth(100, 320, 160), 320);
    assert.equal(recTensorWidth(321, 320, 160), 480);
    assert.equal(recTensorWidth(480, 320, 160), 480);
  });
});
