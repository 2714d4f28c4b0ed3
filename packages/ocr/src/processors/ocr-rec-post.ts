import { isAbsolute, resolve } from 'node:path';
import type { ProcessorDefinition } from '@inferq/processing';
import { loadDictionary } from '../dictionary.js';
import { resolveOcrOptions } from '../ocr-options.js';
import { decodeResults } from '../ocr-stages.js';
import { input, pickOptions, readLineInfo, sameRows } from './tensor-io.js';

/**
 * `ocr-rec-post`: `probs` (the recogniser's FP32 [m, T, C]), `lineInfo` and `geometry` (from
 * ocr-det-pre, for the image count) → `output` (BYTES [n], per image a JSON array of
 * `{text, score, box, angle}` in reading order).
 * Options: `dictionary` (required: path of the character list, relative to the pipeline's
 * directory), `minScore` (default 0.5, PaddleOCR's `drop_score`).
 */
export const ocrRecPost: ProcessorDefinition = {
  name: 'ocr-rec-post',
  description: 'OCR: CTC decoding of the recogniser output with the character dictionary; results per image',
  create(options, source) {
    const picked = pickOptions(options, ['dictionary', 'minScore']);
    const path = picked['dictionary'];
    if (typeof path !== 'string' || path === '') throw new Error('option "dictionary" is required: the path of the character list, relative to the pipeline directory');
    delete picked['dictionary'];
    const resolved = resolveOcrOptions(picked);
    const characters = loadDictionary(isAbsolute(path) ? path : resolve(source.dir, path));
    return {
      run(inputs) {
        const probs = input(inputs, 'probs', 'FP32', 3);
        const infoInput = input(inputs, 'lineInfo', 'BYTES', 1);
        const geometry = input(inputs, 'geometry', 'FP32', 2);
        sameRows(probs, infoInput);
        const [, steps, classes] = probs.shape as [number, number, number];
        const imageCount = geometry.shape[0]!;
        const results = decodeResults(probs.data as Float32Array, steps, classes, readLineInfo(infoInput), imageCount, characters, resolved);
        return { output: { name: 'output', datatype: 'BYTES', shape: [imageCount], data: results.map((r) => JSON.stringify(r)) } };
      },
    };
  },
};
