/**
 * Image inputs: PNG, JPEG or WebP bytes carried base64 in a BYTES tensor (one string per image).
 * The API checks each at submit with `sharp(...).metadata()` (reads the header only: measured
 * about 0.05 ms for a 1 MP PNG against ~10 ms for a full decode), so an undecodable or oversize
 * image is a 400/413 there and never a failed job; the worker decodes fully in its step.
 */
import sharp from 'sharp';
import { InferqError } from '@inferq/contract';

/** Bounds on one image. */
export interface ImageLimits {
  /** `MAX_IMAGE_PIXELS`: width × height. @defaultValue 16_777_216 (4096 × 4096) */
  maxPixels: number;
  /** `MAX_IMAGE_BYTES`: encoded size. @defaultValue 8_388_608 (8 MiB) */
  maxBytes: number;
}

/** The defaults of `MAX_IMAGE_PIXELS` / `MAX_IMAGE_BYTES` (the API's config reads them from here) and of the `image` step's `maxPixels` / `maxBytes`. */
export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({ maxPixels: 16_777_216, maxBytes: 8_388_608 });

/** Formats accepted, as sharp names them. */
export const IMAGE_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'webp']);

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The bytes of a base64 image string; INVALID_IMAGE when it is not base64, IMAGE_TOO_LARGE beyond maxBytes. */
export function imageBytes(text: string, where: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Buffer {
  // Checked on the text first so a huge string is refused before it is decoded.
  if (Math.floor((text.length * 3) / 4) > limits.maxBytes + 2) {
    throw new InferqError('IMAGE_TOO_LARGE', `${where}: the image is larger than ${limits.maxBytes} bytes (MAX_IMAGE_BYTES)`);
  }
  if (text.length === 0 || !BASE64.test(text)) throw new InferqError('INVALID_IMAGE', `${where} must be the base64 of a PNG, JPEG or WebP image`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > limits.maxBytes) throw new InferqError('IMAGE_TOO_LARGE', `${where}: the image is larger than ${limits.maxBytes} bytes (MAX_IMAGE_BYTES)`);
  return bytes;
}

/** Reads an image's header: format and size. Throws INVALID_IMAGE or IMAGE_TOO_LARGE naming `where`. */
export async function checkImage(bytes: Buffer, where: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<{ width: number; height: number; format: string }> {
  if (bytes.length > limits.maxBytes) throw new InferqError('IMAGE_TOO_LARGE', `${where}: the image is larger than ${limits.maxBytes} bytes (MAX_IMAGE_BYTES)`);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new InferqError('INVALID_IMAGE', `${where} is not an image the server can decode (${(error as Error).message.slice(0, 200)})`);
  }
  const { format, width, height } = meta;
  if (!format || !IMAGE_FORMATS.has(format) || !width || !height) {
    throw new InferqError('INVALID_IMAGE', `${where} must be a PNG, JPEG or WebP image${format ? `, not ${format}` : ''}`);
  }
  if (width * height > limits.maxPixels) {
    throw new InferqError('IMAGE_TOO_LARGE', `${where}: ${width}×${height} pixels is more than ${limits.maxPixels} (MAX_IMAGE_PIXELS)`);
  }
  return { width, height, format };
}
