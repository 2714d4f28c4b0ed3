import type { ProcessorDefinition } from '@inferq/processing';
import { decodeImage } from '../decode-image.js';
import { detPreprocess } from '../det-preprocess.js';
import { resolveOcrOptions } from '../ocr-options.js';
import { readMaxPixels } from './image-limit.js';
import { fp32, geometryTensor, imageBytes, input, pickOptions } from './tensor-io.js';

/**
 * `ocr-det-pre`: `image` (BYTES [n], base64 PNG/JPEG/WebP) → `x` (FP32 [n, 3, S, S], the
 * detector's input) and `geometry` (FP32 [n, 4], where each image lies in it).
 * Options: `detSize` (S, default 960), `maxPixels` (default 16 777 216).
 */
export const ocrDetPre: ProcessorDefinition = {
  name: 'ocr-det-pre',
  description: 'OCR: decode images, shrink to fit the square detector input, normalise (PP-OCR det)',
  create(options) {
    const picked = pickOptions(options, ['detSize', 'maxPixels']);
    const maxPixels = readMaxPixels(picked);
    const { detSize } = resolveOcrOptions(picked['detSize'] === undefined ? {} : { detSize: picked['detSize'] });
    return {
      async run(inputs, context) {
        const images = input(inputs, 'image', 'BYTES', 1);
        const rows = images.shape[0]!;
        const plane = 3 * detSize * detSize;
        const x = new Float32Array(rows * plane);
        const prepared = await Promise.all(Array.from({ length: rows }, async (_, i) => {
          const image = await decodeImage(imageBytes(images, i), { maxPixels, what: `${images.name}[${i}]` });
          context.signal.throwIfAborted();
          return detPreprocess(image, { size: detSize });
        }));
        prepared.forEach(({ data }, i) => x.set(data, i * plane));
        return { x: fp32('x', [rows, 3, detSize, detSize], x), geometry: geometryTensor(prepared.map((p) => p.geometry)) };
      },
    };
  },
};
