import type { ProcessorDefinition } from '@inferq/processing';
import { decodeImage } from '../decode-image.js';
import { detPreprocess, fitGeometry, paddedSize } from '../det-preprocess.js';
import { resolveOcrOptions } from '../ocr-options.js';
import { readMaxPixels } from './image-limit.js';
import { fp32, geometryTensor, imageBytes, input, pickOptions } from './tensor-io.js';

/**
 * `ocr-det-pre`: `image` (BYTES [n], base64 PNG/JPEG/WebP) → `x` (FP32 [n, 3, H, W], the
 * detector's input: each image shrunk to fit `detSize` and padded to a multiple of
 * `detMultiple`, all to the request's largest) and `geometry` (FP32 [n, 4], where each image lies).
 * Options: `detSize` (default 960), `detMultiple` (default 320), `maxPixels` (default 16 777 216).
 */
export const ocrDetPre: ProcessorDefinition = {
  name: 'ocr-det-pre',
  description: 'OCR: decode images, shrink to fit the detector input, pad to a few shapes, normalise (PP-OCR det)',
  create(options) {
    const picked = pickOptions(options, ['detSize', 'detMultiple', 'maxPixels']);
    const maxPixels = readMaxPixels(picked);
    delete picked['maxPixels'];
    const { detSize, detMultiple } = resolveOcrOptions(picked);
    return {
      async run(inputs, context) {
        const images = input(inputs, 'image', 'BYTES', 1);
        const rows = images.shape[0]!;
        const decoded = await Promise.all(Array.from({ length: rows }, (_, i) => decodeImage(imageBytes(images, i), { maxPixels, what: `${images.name}[${i}]` })));
        context.signal.throwIfAborted();
        // One tensor per request: every image padded to the largest padded height and width.
        let height = 0, width = 0;
        for (const image of decoded) {
          const [h, w] = paddedSize(fitGeometry(image.width, image.height, detSize), detMultiple);
          height = Math.max(height, h);
          width = Math.max(width, w);
        }
        const prepared = await Promise.all(decoded.map((image) => detPreprocess(image, { size: detSize, padTo: [height, width] })));
        const plane = 3 * height * width;
        const x = new Float32Array(rows * plane);
        prepared.forEach(({ data }, i) => x.set(data, i * plane));
        return { x: fp32('x', [rows, 3, height, width], x), geometry: geometryTensor(prepared.map((p) => p.geometry)) };
      },
    };
  },
};
