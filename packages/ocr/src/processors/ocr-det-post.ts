import type { ProcessorDefinition } from '@inferq/processing';
import type { LineImage } from '../crop-line.js';
import { decodeImage } from '../decode-image.js';
import { CLS_WIDTH, LINE_HEIGHT, resolveOcrOptions } from '../ocr-options.js';
import { clsInput, extractLines, type LineInfo } from '../ocr-stages.js';
import { readMaxPixels } from './image-limit.js';
import { fp32, imageBytes, input, lineInfoTensor, linesTensor, pickOptions, readGeometry, sameRows } from './tensor-io.js';

/**
 * `ocr-det-post`: `maps` (the detector's FP32 [n, 1, H, W]), `geometry` (from ocr-det-pre) and
 * `image` (the request's images) → the text lines of all images in reading order:
 * `x` (FP32 [m, 3, 48, 192], the orientation classifier's input), `lines` (UINT8 [m, 48, w, 3])
 * and `lineInfo` (BYTES [m], JSON: image index, box, widths). m may be 0.
 * Options: `threshold` 0.3, `boxThreshold` 0.6, `unclipRatio` 1.5, `maxCandidates` 1000,
 * `maxLineWidth` 1280, `maxPixels` 16 777 216.
 */
export const ocrDetPost: ProcessorDefinition = {
  name: 'ocr-det-post',
  description: 'OCR: DB post-processing (boxes from the probability map), crop lines for the classifier and recogniser',
  create(options) {
    const picked = pickOptions(options, ['threshold', 'boxThreshold', 'unclipRatio', 'maxCandidates', 'maxLineWidth', 'maxPixels']);
    const maxPixels = readMaxPixels(picked);
    delete picked['maxPixels'];
    const resolved = resolveOcrOptions(picked);
    return {
      async run(inputs, context) {
        const maps = input(inputs, 'maps', 'FP32', 4);
        const geometryInput = input(inputs, 'geometry', 'FP32', 2);
        const images = input(inputs, 'image', 'BYTES', 1);
        const rows = sameRows(maps, geometryInput, images);
        const [, channels, mapHeight, mapWidth] = maps.shape as [number, number, number, number];
        if (channels !== 1) throw new Error(`input "maps" must be [n, 1, H, W], got [${maps.shape.join(', ')}]`);
        const geometries = readGeometry(geometryInput);
        const lines: LineImage[] = [];
        const clsLines: LineImage[] = [];
        const infos: LineInfo[] = [];
        const plane = mapHeight * mapWidth;
        for (let i = 0; i < rows; i++) {
          // The image is decoded again rather than passed from ocr-det-pre: a full-size RGB copy
          // per image between steps would cost more memory than the decode costs time.
          const image = await decodeImage(imageBytes(images, i), { maxPixels, what: `${images.name}[${i}]` });
          const map = (maps.data as Float32Array).subarray(i * plane, (i + 1) * plane);
          const geometry = geometries[i]!;
          if (geometry.width > mapWidth || geometry.height > mapHeight) throw new Error(`image ${i} (${geometry.width}×${geometry.height} resized) does not fit the ${mapWidth}×${mapHeight} map`);
          const found = extractLines(image, i, map, mapWidth, geometry, resolved);
          lines.push(...found.lines);
          clsLines.push(...found.clsLines);
          infos.push(...found.infos);
          context.signal.throwIfAborted();
        }
        return {
          x: fp32('x', [lines.length, 3, LINE_HEIGHT, CLS_WIDTH], clsInput(clsLines)),
          lines: linesTensor(lines),
          lineInfo: lineInfoTensor(infos),
        };
      },
    };
  },
};
