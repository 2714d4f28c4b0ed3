/**
 * DB (Differentiable Binarization) post-processing, PaddleOCR's `DBPostProcess` with
 * `box_type='quad'`, `score_mode='fast'`: threshold the probability map, take connected
 * components, fit a minimum-area rectangle to each, score it by the mean probability inside,
 * grow it by the unclip offset and map it back to the source image.
 */
import { connectedComponents } from './connected-components.js';
import type { DetGeometry } from './det-preprocess.js';
import { expandRect, insideQuad, minAreaRect, orderQuad, rectCorners, type Point, type Quad } from './geometry.js';

/** Options of {@link dbPostprocess}; defaults are PaddleOCR's. */
export interface DbOptions {
  /** Pixels with probability above this are text. @defaultValue 0.3 */
  readonly threshold?: number;
  /** Boxes whose mean probability is below this are dropped. @defaultValue 0.6 */
  readonly boxThreshold?: number;
  /** How much a box grows: offset = area × ratio / perimeter. @defaultValue 1.5 */
  readonly unclipRatio?: number;
  /** At most this many components are considered. @defaultValue 1000 */
  readonly maxCandidates?: number;
}

/** A detected text box in source-image pixels. */
export interface DetectedBox {
  readonly box: Quad;
  /** Mean probability inside the box (before unclip). */
  readonly score: number;
}

const MIN_SIZE = 3;

/** Validates DB options once (at step creation); returns them with defaults filled in. */
export function resolveDbOptions(options: DbOptions = {}): Required<DbOptions> {
  const resolved = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, maxCandidates: 1000, ...options };
  for (const key of ['threshold', 'boxThreshold'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || !(value > 0 && value < 1)) throw new RangeError(`${key} must be a number in (0, 1), got ${String(value)}`);
  }
  if (typeof resolved.unclipRatio !== 'number' || !(resolved.unclipRatio >= 0 && resolved.unclipRatio <= 10)) throw new RangeError(`unclipRatio must be a number in [0, 10], got ${String(resolved.unclipRatio)}`);
  if (!Number.isInteger(resolved.maxCandidates) || resolved.maxCandidates < 1 || resolved.maxCandidates > 100_000) throw new RangeError(`maxCandidates must be an integer in [1, 100000], got ${String(resolved.maxCandidates)}`);
  return resolved;
}

/**
 * Boxes from one probability map (rows of `stride` values, the resized image in its top-left
 * `geometry.width × geometry.height`), in source pixels, in map scan order.
 */
export function dbPostprocess(map: Float32Array, stride: number, geometry: DetGeometry, options: DbOptions = {}): DetectedBox[] {
  const { threshold, boxThreshold, unclipRatio, maxCandidates } = resolveDbOptions(options);
  const { width, height } = geometry;
  const mask = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (map[y * stride + x]! > threshold) mask[y * stride + x] = 1;
  }
  const boxes: DetectedBox[] = [];
  for (const component of connectedComponents(mask, stride, width, height, maxCandidates)) {
    const points: Point[] = [];
    for (let i = 0; i < component.xMin.length; i++) {
      if (component.xMin[i]! < 0) continue;
      points.push([component.xMin[i]!, component.y0 + i], [component.xMax[i]!, component.y0 + i]);
    }
    const rect = minAreaRect(points);
    if (Math.min(rect.width, rect.height) < MIN_SIZE) continue;
    const score = meanInside(map, stride, width, height, rectCorners(rect));
    if (score < boxThreshold) continue;
    const distance = (rect.width * rect.height * unclipRatio) / (2 * (rect.width + rect.height));
    const grown = expandRect(rect, distance);
    if (Math.min(grown.width, grown.height) < MIN_SIZE + 2) continue;
    const sx = geometry.srcWidth / width;
    const sy = geometry.srcHeight / height;
    const box = orderQuad(rectCorners(grown).map(([x, y]): Point => [
      clamp(Math.round(x * sx), 0, geometry.srcWidth),
      clamp(Math.round(y * sy), 0, geometry.srcHeight),
    ]));
    // PaddleOCR's filter_tag_det_res: boxes at most 3 px wide or high after clipping are noise.
    if (distanceBetween(box[0], box[1]) <= MIN_SIZE || distanceBetween(box[0], box[3]) <= MIN_SIZE) continue;
    boxes.push({ box, score });
  }
  return boxes;
}

/** Mean of the map over the pixels whose centres lie inside `quad` (PaddleOCR's fast box score). */
function meanInside(map: Float32Array, stride: number, width: number, height: number, quad: Quad): number {
  const xs = quad.map((p) => p[0]);
  const ys = quad.map((p) => p[1]);
  const x0 = clamp(Math.floor(Math.min(...xs)), 0, width - 1);
  const x1 = clamp(Math.ceil(Math.max(...xs)), 0, width - 1);
  const y0 = clamp(Math.floor(Math.min(...ys)), 0, height - 1);
  const y1 = clamp(Math.ceil(Math.max(...ys)), 0, height - 1);
  let sum = 0, count = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insideQuad(quad, x, y)) continue;
      sum += map[y * stride + x]!;
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}

const clamp = (value: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, value));
const distanceBetween = (a: Point, b: Point): number => Math.hypot(b[0] - a[0], b[1] - a[1]);
