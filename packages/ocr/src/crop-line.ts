/**
 * Cuts a text line out of the source image straight to the recognisers' height. A box may be
 * rotated, so this is an affine warp (PaddleOCR's `get_rotate_crop_image` does a perspective warp
 * of the same quad); with sharp that would be extract + rotate + extract + resize, four passes
 * per box, where one sampling pass here does it all.
 */
import type { Quad } from './geometry.js';
import type { RgbImage } from './image.js';

/** A text line image: `height × width` RGB pixels. */
export type LineImage = RgbImage;

/** The natural width of a box's line at `height` pixels high (aspect kept), at least 1. */
export function lineWidth(box: Quad, height: number): number {
  const boxWidth = Math.max(distance(box[0], box[1]), distance(box[3], box[2]));
  const boxHeight = Math.max(distance(box[0], box[3]), distance(box[1], box[2]));
  return Math.max(1, Math.ceil((height * boxWidth) / Math.max(1, boxHeight)));
}

/**
 * Samples `box` (corners clockwise from the top-left) into a `height × width` line. Every output
 * pixel averages a grid of bilinear samples as dense as the source (so shrinking does not alias);
 * points past the image edge repeat the edge (OpenCV's BORDER_REPLICATE, as PaddleOCR).
 */
export function cropLine(image: RgbImage, box: Quad, height: number, width: number): LineImage {
  const [p0, p1, , p3] = box;
  const ux = (p1[0] - p0[0]) / width, uy = (p1[1] - p0[1]) / width;
  const vx = (p3[0] - p0[0]) / height, vy = (p3[1] - p0[1]) / height;
  const kx = Math.min(8, Math.max(1, Math.ceil(Math.hypot(ux, uy))));
  const ky = Math.min(8, Math.max(1, Math.ceil(Math.hypot(vx, vy))));
  const out = new Uint8Array(width * height * 3);
  const sample = [0, 0, 0];
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < ky; j++) {
        const fv = v + (j + 0.5) / ky;
        for (let i = 0; i < kx; i++) {
          const fu = u + (i + 0.5) / kx;
          // Pixel centres sit at +0.5: a source coordinate x maps to pixel x - 0.5.
          bilinear(image, p0[0] + fu * ux + fv * vx - 0.5, p0[1] + fu * uy + fv * vy - 0.5, sample);
          r += sample[0]!; g += sample[1]!; b += sample[2]!;
        }
      }
      const n = kx * ky;
      const o = (v * width + u) * 3;
      out[o] = Math.round(r / n); out[o + 1] = Math.round(g / n); out[o + 2] = Math.round(b / n);
    }
  }
  return { width, height, data: out };
}

/** The line turned upside down (180°). */
export function rotateLine180(line: LineImage): LineImage {
  const pixels = line.width * line.height;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const q = (pixels - 1 - p) * 3;
    out[q] = line.data[p * 3]!; out[q + 1] = line.data[p * 3 + 1]!; out[q + 2] = line.data[p * 3 + 2]!;
  }
  return { width: line.width, height: line.height, data: out };
}

function bilinear(image: RgbImage, x: number, y: number, out: number[]): void {
  const cx = Math.min(image.width - 1, Math.max(0, x));
  const cy = Math.min(image.height - 1, Math.max(0, y));
  const x0 = Math.floor(cx), y0 = Math.floor(cy);
  const x1 = Math.min(image.width - 1, x0 + 1), y1 = Math.min(image.height - 1, y0 + 1);
  const fx = cx - x0, fy = cy - y0;
  const d = image.data;
  const i00 = (y0 * image.width + x0) * 3, i01 = (y0 * image.width + x1) * 3;
  const i10 = (y1 * image.width + x0) * 3, i11 = (y1 * image.width + x1) * 3;
  for (let c = 0; c < 3; c++) {
    const top = d[i00 + c]! + (d[i01 + c]! - d[i00 + c]!) * fx;
    const bottom = d[i10 + c]! + (d[i11 + c]! - d[i10 + c]!) * fx;
    out[c] = top + (bottom - top) * fy;
  }
}

const distance = (a: readonly [number, number], b: readonly [number, number]): number => Math.hypot(b[0] - a[0], b[1] - a[1]);
