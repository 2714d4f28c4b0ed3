/**
 * An image file → the model's one image input (`[batch, C, H, W]` or `[batch, H, W, C]`, C 1 or
 * 3): decoded and resized to H×W with sharp, channels planar or interleaved as the shape says,
 * values scaled as `--scale` says (`unit` 0–1, `signed` −1–1 as PP-OCR models expect, `raw` 0–255).
 */
import sharp from 'sharp';
import type { TensorInput } from '@inferq/client';
import type { ModelMetadata } from '@inferq/contract';
import { UsageError } from '../exit-codes.js';

export type ImageScale = 'unit' | 'signed' | 'raw';

/** Decodes `file` into one input row of `metadata`'s image input. */
export async function inputsFromImage(file: string, metadata: ModelMetadata, scale: ImageScale): Promise<TensorInput[]> {
  const input = metadata.inputs.length === 1 ? metadata.inputs[0]! : undefined;
  const shape = input?.shape ?? [];
  const planar = shape.length === 4 && (shape[1] === 1 || shape[1] === 3);
  const interleaved = shape.length === 4 && (shape[3] === 1 || shape[3] === 3);
  if (!input || (!planar && !interleaved)) {
    throw new UsageError(`${metadata.name} does not take one image input ([batch, C, H, W] or [batch, H, W, C], C 1 or 3)`);
  }
  const [channels, height, width] = planar ? [shape[1]!, shape[2]!, shape[3]!] : [shape[3]!, shape[1]!, shape[2]!];
  if (height < 1 || width < 1) throw new UsageError(`${metadata.name}: the image size is dynamic ([${shape.join(', ')}]); send the tensor as JSON`);
  let pixels: Buffer;
  try {
    let image = sharp(file).removeAlpha().resize(width, height, { fit: 'fill' });
    if (channels === 1) image = image.grayscale();
    pixels = await image.toColourspace(channels === 1 ? 'b-w' : 'srgb').raw().toBuffer();
  } catch (error) {
    throw new UsageError(`cannot read image ${file}: ${(error as Error).message}`);
  }
  const count = channels * height * width;
  if (pixels.length !== count) throw new UsageError(`image ${file} decoded to ${pixels.length} values, expected ${count}`);
  const integer = input.datatype === 'UINT8';
  const values = integer ? new Uint8Array(count) : new Float32Array(count);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = pixels[(y * width + x) * channels + c]!;
        const target = planar ? c * height * width + y * width + x : (y * width + x) * channels + c;
        values[target] = integer || scale === 'raw' ? v : scale === 'unit' ? v / 255 : v / 127.5 - 1;
      }
    }
  }
  if (input.datatype !== 'FP32' && input.datatype !== 'UINT8') throw new UsageError(`${metadata.name}: image inputs of ${input.datatype} are not supported (FP32, UINT8)`);
  return [{ name: input.name, datatype: input.datatype, shape: planar ? [1, channels, height, width] : [1, height, width, channels], data: values }];
}
