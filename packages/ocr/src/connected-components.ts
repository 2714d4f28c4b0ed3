/**
 * 8-connected components of a binary mask, reported as per-row extents: for each row a
 * component touches, its leftmost and rightmost pixel. That is all the convex hull needs, and it
 * keeps memory per component proportional to its height, not its area.
 */

/** One component: `rows[i]` spans `[xMin[i], xMax[i]]` on row `y0 + i` (-1 when untouched). */
export interface Component {
  readonly y0: number;
  readonly xMin: Int32Array;
  readonly xMax: Int32Array;
  /** Pixels in the component. */
  readonly area: number;
}

/**
 * Labels the `width × height` region of `mask` (row stride `stride`) by flood fill, at most
 * `maxComponents` components in scan order (PaddleOCR's `max_candidates`).
 */
export function connectedComponents(mask: Uint8Array, stride: number, width: number, height: number, maxComponents: number): Component[] {
  const seen = new Uint8Array(stride * height);
  const stack = new Int32Array(width * height);
  const components: Component[] = [];
  for (let y = 0; y < height && components.length < maxComponents; y++) {
    for (let x = 0; x < width && components.length < maxComponents; x++) {
      const start = y * stride + x;
      if (mask[start] === 0 || seen[start] === 1) continue;
      let yMin = y, yMax = y, area = 0;
      const spans = new Map<number, [number, number]>();
      let top = 0;
      stack[top++] = start;
      seen[start] = 1;
      while (top > 0) {
        const index = stack[--top]!;
        const py = Math.floor(index / stride);
        const px = index - py * stride;
        area++;
        const span = spans.get(py);
        if (span === undefined) spans.set(py, [px, px]);
        else { if (px < span[0]) span[0] = px; if (px > span[1]) span[1] = px; }
        if (py < yMin) yMin = py;
        if (py > yMax) yMax = py;
        for (let dy = -1; dy <= 1; dy++) {
          const ny = py + dy;
          if (ny < 0 || ny >= height) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const nx = px + dx;
            if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
            const next = ny * stride + nx;
            if (mask[next] !== 0 && seen[next] === 0) { seen[next] = 1; stack[top++] = next; }
          }
        }
      }
      const rows = yMax - yMin + 1;
      const xMin = new Int32Array(rows).fill(-1);
      const xMax = new Int32Array(rows).fill(-1);
      for (const [row, [lo, hi]] of spans) { xMin[row - yMin] = lo; xMax[row - yMin] = hi; }
      components.push({ y0: yMin, xMin, xMax, area });
    }
  }
  return components;
}
