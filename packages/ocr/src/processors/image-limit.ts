/** The `maxPixels` option shared by the steps that decode the request's images. */
export const DEFAULT_MAX_PIXELS = 16_777_216;

export function readMaxPixels(options: Readonly<Record<string, unknown>>): number {
  const value = options['maxPixels'] ?? DEFAULT_MAX_PIXELS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000_000) throw new RangeError(`maxPixels must be an integer in [1, 1000000000], got ${String(value)}`);
  return value;
}
