/**
 * Reading order of detected boxes, PaddleOCR's `sorted_boxes`: by the top-left corner's y then
 * x, then neighbours on the same line (top-left y within `lineTolerance` px) left to right.
 */
import type { Quad } from './geometry.js';

/** Returns a new array of `items` in reading order. @defaultValue lineTolerance 10 */
export function sortBoxes<T extends { readonly box: Quad }>(items: readonly T[], lineTolerance = 10): T[] {
  const sorted = [...items].sort((a, b) => a.box[0][1] - b.box[0][1] || a.box[0][0] - b.box[0][0]);
  for (let i = 0; i < sorted.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const a = sorted[j]!;
      const b = sorted[j + 1]!;
      if (Math.abs(b.box[0][1] - a.box[0][1]) < lineTolerance && b.box[0][0] < a.box[0][0]) {
        sorted[j] = b;
        sorted[j + 1] = a;
      } else {
        break;
      }
    }
  }
  return sorted;
}
