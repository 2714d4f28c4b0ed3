/**
 * Text lines → the classifier's or recogniser's input: PaddleOCR's `resize_norm_img`. Each line
 * (already `height` high) goes left-aligned into a `3 × height × tensorWidth` row, values
 * `(v / 255 - 0.5) / 0.5` in BGR order, zeros to the right.
 */
import type { LineImage } from './crop-line.js';
import { BGR_SOURCE } from './normalize.js';

/** Rows of `lines` stacked into one FP32 `[lines.length, 3, height, tensorWidth]` buffer. */
export function linesToTensor(lines: readonly LineImage[], height: number, tensorWidth: number): Float32Array {
  const plane = height * tensorWidth;
  const out = new Float32Array(lines.length * 3 * plane);
  lines.forEach((line, n) => {
    if (line.height !== height) throw new RangeError(`line ${n} is ${line.height} px high, expected ${height}`);
    if (line.width > tensorWidth) throw new RangeError(`line ${n} is ${line.width} px wide, more than the tensor's ${tensorWidth}`);
    for (let c = 0; c < 3; c++) {
      const base = (n * 3 + c) * plane;
      const source = BGR_SOURCE[c]!;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < line.width; x++) out[base + y * tensorWidth + x] = line.data[(y * line.width + x) * 3 + source]! / 127.5 - 1;
      }
    }
  });
  return out;
}

/**
 * The recogniser's tensor width for lines up to `maxLineWidth` wide: at least `minWidth`
 * (PaddleOCR's 320 for a 48-px height), rounded up to a multiple of `bucket` so that requests
 * with similar lines get equal shapes and share a batch in the worker.
 */
export function recTensorWidth(maxLineWidth: number, minWidth: number, bucket: number): number {
  return Math.max(minWidth, Math.ceil(maxLineWidth / bucket) * bucket);
}
