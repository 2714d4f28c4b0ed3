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
   * Side of the square detection input, a multiple of 32 (the DB network downsamples by 32).
   * Images are shrunk (never enlarged) to fit and padded: one fixed shape, so the worker's
   * micro-batcher can stack images of any size into one detection run.
   * @defaultValue 960 (PaddleOCR's `det_limit_side_len`)
   */
  readonly size?: number;
}

export const DEFAULT_DET_SIZE = 960;

/** Checks a detection input side: a positive multiple of 32, at most 4096. */
export function checkDetSize(size: number): number {
  if (!Number.isInteger(size) || size < 32 || size > 4096 || size % 32 !== 0) {
    throw new RangeError(`size must be a multiple of 32 between 32 and 4096, got ${size}`);
  }
  return size;
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
 * One image → the detection input row: `3 × size × size` floats (CHW, BGR, ImageNet-normalised),
 * the resized image at the top-left and zeros (the mean colour) elsewhere.
 */
export async function detPreprocess(image: RgbImage, options: DetPreprocessOptions = {}): Promise<{ data: Float32Array; geometry: DetGeometry }> {
  const size = checkDetSize(options.size ?? DEFAULT_DET_SIZE);
  const geometry = fitGeometry(image.width, image.height, size);
  const pixels = geometry.width === image.width && geometry.height === image.height
    ? image.data
    : await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(geometry.width, geometry.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = BGR_SOURCE[c]!;
    const mean = DET_MEAN[c]!;
    const scale = 1 / (255 * DET_STD[c]!);
    const offset = mean / DET_STD[c]!;
    const base = c * plane;
    for (let y = 0; y < geometry.height; y++) {
      const row = base + y * size;
      const srcRow = y * geometry.width * 3;
      for (let x = 0; x < geometry.width; x++) data[row + x] = pixels[srcRow + x * 3 + source]! * scale - offset;
    }
  }
  return { data, geometry };
}
