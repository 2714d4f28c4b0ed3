import sharp from 'sharp';
import type { RgbImage } from './image.js';
import { BGR_SOURCE, DET_MEAN, DET_STD } from './normalize.js';

/** Where the image lies in the detection input: the map's top-left `width × height` pixels. */
export interface DetGeometry {
  readonly srcWidth: number;
  readonly srcHeight: number;
  /** Size of the resized image inside the square input (the rest is padding). */
  readonly width: number;
  readonly height: number;
}

/** Options of {@link detPreprocess}. */
export interface DetPreprocessOptions {
  /**
   * Longest side of the detection input, a multiple of 32 (the DB network downsamples by 32):
   * larger images are shrunk (never enlarged) to fit.
   * @defaultValue 960 (PaddleOCR's `det_limit_side_len`)
   */
  readonly size?: number;
  /**
   * The resized image is padded (with the mean colour) up to a multiple of this on each side: a
   * few shapes only, so the worker's micro-batcher can stack images of similar size into one
   * detection run, without a wide line paying for a full square.
   * @defaultValue 320
   */
  readonly multiple?: number;
  /** Pad to exactly this `[height, width]` instead (at least the padded size): a request's images share one tensor. */
  readonly padTo?: readonly [number, number];
}

export const DEFAULT_DET_SIZE = 960;
export const DEFAULT_DET_MULTIPLE = 320;

/** Checks a detection size setting: a positive multiple of 32, at most 4096. */
export function checkDetSize(size: number, name = 'size'): number {
  if (!Number.isInteger(size) || size < 32 || size > 4096 || size % 32 !== 0) {
    throw new RangeError(`${name} must be a multiple of 32 between 32 and 4096, got ${size}`);
  }
  return size;
}

/** The padded input size `[height, width]` for a resized image. */
export function paddedSize(geometry: DetGeometry, multiple: number): [number, number] {
  return [Math.ceil(geometry.height / multiple) * multiple, Math.ceil(geometry.width / multiple) * multiple];
}

/** The resized size of an image so its longer side fits `size` (never enlarged). */
export function fitGeometry(srcWidth: number, srcHeight: number, size: number): DetGeometry {
  const scale = Math.min(1, size / Math.max(srcWidth, srcHeight));
  return {
    srcWidth, srcHeight,
    width: Math.min(size, Math.max(1, Math.round(srcWidth * scale))),
    height: Math.min(size, Math.max(1, Math.round(srcHeight * scale))),
  };
}

/**
 * One image → the detection input row: `3 × height × width` floats (CHW, BGR,
 * ImageNet-normalised), the resized image at the top-left and zeros (the mean colour) elsewhere.
 */
export async function detPreprocess(image: RgbImage, options: DetPreprocessOptions = {}): Promise<{ data: Float32Array; geometry: DetGeometry; height: number; width: number }> {
  const size = checkDetSize(options.size ?? DEFAULT_DET_SIZE);
  const geometry = fitGeometry(image.width, image.height, size);
  const [height, width] = options.padTo ?? paddedSize(geometry, checkDetSize(options.multiple ?? DEFAULT_DET_MULTIPLE, 'multiple'));
  if (height < geometry.height || width < geometry.width) throw new RangeError(`padTo ${height}×${width} is smaller than the resized image ${geometry.height}×${geometry.width}`);
  const pixels = geometry.width === image.width && geometry.height === image.height
    ? image.data
    : await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(geometry.width, geometry.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
  const plane = height * width;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = BGR_SOURCE[c]!;
    const mean = DET_MEAN[c]!;
    const scale = 1 / (255 * DET_STD[c]!);
    const offset = mean / DET_STD[c]!;
    const base = c * plane;
    for (let y = 0; y < geometry.height; y++) {
      const row = base + y * width;
      const srcRow = y * geometry.width * 3;
      for (let x = 0; x < geometry.width; x++) data[row + x] = pixels[srcRow + x * 3 + source]! * scale - offset;
    }
  }
  return { data, geometry, height, width };
}
