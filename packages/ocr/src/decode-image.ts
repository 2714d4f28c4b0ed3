import sharp from 'sharp';
import type { RgbImage } from './image.js';
import { imageTooLarge, invalidImage } from './invalid-image.js';

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /**
   * Largest accepted image, in pixels (width × height): a bigger one is refused before it is
   * decoded (a small PNG can expand to gigabytes).
   * @defaultValue 16 777 216 (4096 × 4096, the API's MAX_IMAGE_PIXELS default)
   */
  readonly maxPixels?: number;
  /** Names the image in error messages. @defaultValue `'image'` */
  readonly what?: string;
}

/**
 * Decodes PNG/JPEG/WebP/… bytes into 8-bit RGB: EXIF orientation applied, transparency put on
 * white (text is usually dark on light), grey expanded to three channels.
 * Throws INVALID_IMAGE for bytes sharp cannot decode, IMAGE_TOO_LARGE for an image over
 * `maxPixels` (checked from the header, before decoding).
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<RgbImage> {
  const what = options.what ?? 'image';
  const maxPixels = options.maxPixels ?? 16_777_216;
  if (bytes.length === 0) throw invalidImage(what, 'is empty');
  let header: sharp.Metadata;
  try {
    header = await sharp(bytes).metadata();
  } catch (error) {
    throw invalidImage(what, `is not an image sharp can read (${(error as Error).message})`, error);
  }
  if (header.width * header.height > maxPixels) throw imageTooLarge(what, header.width, header.height, maxPixels);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw invalidImage(what, `cannot be decoded as an image (${(error as Error).message})`, error);
  }
}
