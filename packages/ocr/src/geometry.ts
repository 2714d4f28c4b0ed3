/**
 * Plane geometry for DB post-processing: convex hull, minimum-area rectangle (rotating
 * calipers) and PaddleOCR's corner order. Pure functions; OpenCV's `minAreaRect` in PaddleOCR.
 */

export type Point = readonly [number, number];

/** Four corners, clockwise from the top-left (top-left, top-right, bottom-right, bottom-left). */
export type Quad = readonly [Point, Point, Point, Point];

/** A rotated rectangle: centre, side lengths along `axis` (a unit vector) and its normal. */
export interface RotatedRect {
  readonly center: Point;
  /** Side along `axis`. */
  readonly width: number;
  /** Side along the normal of `axis`. */
  readonly height: number;
  readonly axis: Point;
}

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-up terms, no repeated points. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length <= 2) return sorted;
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/**
 * The smallest-area rectangle enclosing `points`: one of its sides lies on a hull edge, so each
 * edge direction is tried (the hulls of text components have tens of points).
 */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { center: [0, 0], width: 0, height: 0, axis: [1, 0] };
  const directions: Point[] = [[1, 0]];
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (length > 0) directions.push([(b[0] - a[0]) / length, (b[1] - a[1]) / length]);
  }
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  for (const [ux, uy] of directions) {
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const [x, y] of hull) {
      const u = x * ux + y * uy;
      const v = -x * uy + y * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    // Ties (an axis-aligned box is found along x and along its own edges) keep the first: x.
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { center: [cu * ux - cv * uy, cu * uy + cv * ux], width: maxU - minU, height: maxV - minV, axis: [ux, uy] };
    }
  }
  return best!;
}

/** The rectangle grown by `distance` on every side. */
export function expandRect(rect: RotatedRect, distance: number): RotatedRect {
  return { ...rect, width: rect.width + 2 * distance, height: rect.height + 2 * distance };
}

/** The four corners of a rotated rectangle, in PaddleOCR's order (see {@link orderQuad}). */
export function rectCorners(rect: RotatedRect): Quad {
  const [cx, cy] = rect.center;
  const [ux, uy] = rect.axis;
  const hw = rect.width / 2;
  const hh = rect.height / 2;
  const corner = (su: number, sv: number): Point => [cx + su * hw * ux - sv * hh * uy, cy + su * hw * uy + sv * hh * ux];
  return orderQuad([corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1)]);
}

/**
 * PaddleOCR's `get_mini_boxes` order: of the two leftmost corners the upper one is the top-left
 * and the lower the bottom-left; of the two rightmost, the upper is the top-right.
 */
export function orderQuad(points: readonly Point[]): Quad {
  const byX = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const [l0, l1, r0, r1] = byX as [Point, Point, Point, Point];
  const [topLeft, bottomLeft] = l0[1] <= l1[1] ? [l0, l1] : [l1, l0];
  const [topRight, bottomRight] = r0[1] <= r1[1] ? [r0, r1] : [r1, r0];
  return [topLeft, topRight, bottomRight, bottomLeft];
}

/** Whether (x, y) lies inside a convex quad (corners in order, either orientation). */
export function insideQuad(quad: Quad, x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const c = cross(quad[i]!, quad[(i + 1) % 4]!, [x, y]);
    if (c === 0) continue;
    const s = Math.sign(c);
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}
