import sharp from 'sharp';
import { InferqError } from '@inferq/contract';
import type { ProcessorDefinition } from '../step.js';
import { choiceOption, integerOption, numberOption, numbersOption, onlyKnown } from '../options.js';
import { strings, theInput } from '../tensor-access.js';
import { checkImage, DEFAULT_IMAGE_LIMITS, imageBytes, type ImageLimits } from '../image-input.js';

/** How an image is brought to the model's size. */
export interface ImageTransform {
  width: number;
  height: number;
  /** `fill`: stretch to the size; `contain`: keep the aspect ratio and pad with `padValue` (letterbox, top-left aligned). */
  fit: 'fill' | 'contain';
  channels: 1 | 3;
  /** Pixel value (0–255) of the padding. */
  padValue: number;
  /** value = (pixel × scale − mean[c]) / std[c] */
  scale: number;
  mean: number[];
  std: number[];
}

/**
 * Decodes one image and returns its FP32 CHW values (`channels × height × width`), normalised.
 * Throws INVALID_IMAGE / IMAGE_TOO_LARGE like the API's check.
 */
export async function imageToChw(bytes: Buffer, transform: ImageTransform, where: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<Float32Array> {
  await checkImage(bytes, where, limits);
  const { width, height, channels } = transform;
  let pipeline = sharp(bytes, { limitInputPixels: limits.maxPixels }).rotate().removeAlpha();
  pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
  if (transform.fit === 'fill') {
    pipeline = pipeline.resize(width, height, { fit: 'fill' });
  } else {
    const pad = transform.padValue;
    pipeline = pipeline.resize(width, height, { fit: 'contain', position: 'left top', background: { r: pad, g: pad, b: pad } });
  }
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new InferqError('INVALID_IMAGE', `${where} cannot be decoded (${(error as Error).message.slice(0, 200)})`);
  }
  const { data, info } = raw;
  const out = new Float32Array(channels * height * width);
  const plane = height * width;
  // HWC (sharp's interleaved output) → CHW (what vision models take).
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) {
      out[c * plane + p] = (data[p * info.channels + c]! * transform.scale - transform.mean[c]!) / transform.std[c]!;
    }
  }
  return out;
}

/**
 * `image`: `input` BYTES [n] of base64 PNG/JPEG/WebP → `output` FP32 [n, C, H, W].
 * Options: `width`, `height` (required, 1–8192), `fit` (`fill` default, or `contain` = pad),
 * `channels` (3 RGB default, or 1 grey), `padValue` (0–255, default 0), `scale` (default 1/255),
 * `mean`, `std` (per channel, default 0 and 1), `maxPixels`, `maxBytes` (the worker-side bounds on
 * each image; defaults those of MAX_IMAGE_PIXELS / MAX_IMAGE_BYTES).
 */
export const image: ProcessorDefinition = {
  name: 'image',
  description: 'input BYTES [n] of base64 PNG/JPEG/WebP → output FP32 [n, C, H, W]: decode, resize or pad, normalise, HWC→CHW',
  create(options, source) {
    onlyKnown(options, ['width', 'height', 'fit', 'channels', 'padValue', 'scale', 'mean', 'std', 'maxPixels', 'maxBytes'], source);
    const limits: ImageLimits = {
      maxPixels: integerOption(options, 'maxPixels', DEFAULT_IMAGE_LIMITS.maxPixels, 1, 1_000_000_000, source),
      maxBytes: integerOption(options, 'maxBytes', DEFAULT_IMAGE_LIMITS.maxBytes, 1, 1_073_741_824, source),
    };
    const channels = integerOption(options, 'channels', 3, 1, 3, source);
    if (channels === 2) throw new Error(`${source.where}: option "channels" must be 1 or 3`);
    const transform: ImageTransform = {
      width: integerOption(options, 'width', 0, 1, 8192, source),
      height: integerOption(options, 'height', 0, 1, 8192, source),
      fit: choiceOption(options, 'fit', ['fill', 'contain'], 'fill', source),
      channels: channels as 1 | 3,
      padValue: integerOption(options, 'padValue', 0, 0, 255, source),
      scale: numberOption(options, 'scale', 1 / 255, source),
      mean: numbersOption(options, 'mean', new Array(channels).fill(0), channels, source),
      std: numbersOption(options, 'std', new Array(channels).fill(1), channels, source),
    };
    if (transform.std.some((s) => s === 0)) throw new Error(`${source.where}: option "std" must not hold 0`);
    return {
      async run(inputs, { stepId }) {
        const input = theInput(inputs, stepId);
        const images = strings(input);
        const size = transform.channels * transform.height * transform.width;
        const data = new Float32Array(images.length * size);
        for (const [i, text] of images.entries()) {
          const where = `${input.name}[${i}]`;
          data.set(await imageToChw(imageBytes(text, where, limits), transform, where, limits), i * size);
        }
        return { output: { name: 'output', datatype: 'FP32', shape: [images.length, transform.channels, transform.height, transform.width], data } };
      },
    };
  },
};
