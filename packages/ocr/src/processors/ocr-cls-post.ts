import type { ProcessorDefinition } from '@inferq/processing';
import { resolveOcrOptions } from '../ocr-options.js';
import { applyOrientation } from '../ocr-stages.js';
import { input, lineInfoTensor, linesTensor, pickOptions, readLineInfo, readLines, sameRows } from './tensor-io.js';

/**
 * `ocr-cls-post`: `probs` (the orientation classifier's FP32 [m, 2]), `lines` and `lineInfo`
 * (from ocr-det-post) → `lines` with the upside-down ones turned 180° and `lineInfo` with each
 * line's `angle`. Option: `clsThreshold` (default 0.9, PaddleOCR's `cls_thresh`).
 */
export const ocrClsPost: ProcessorDefinition = {
  name: 'ocr-cls-post',
  description: 'OCR: turn the lines the orientation classifier reads as upside down',
  create(options) {
    const { clsThreshold } = resolveOcrOptions(pickOptions(options, ['clsThreshold']));
    return {
      run(inputs) {
        const probs = input(inputs, 'probs', 'FP32', 2);
        const linesInput = input(inputs, 'lines', 'UINT8', 4);
        const infoInput = input(inputs, 'lineInfo', 'BYTES', 1);
        sameRows(probs, linesInput, infoInput);
        if (probs.shape[1] !== 2) throw new Error(`input "probs" must be [m, 2] (upright, 180°), got [${probs.shape.join(', ')}]`);
        const infos = readLineInfo(infoInput);
        const oriented = applyOrientation(readLines(linesInput, infos), infos, probs.data as Float32Array, clsThreshold);
        return { lines: linesTensor(oriented.lines), lineInfo: lineInfoTensor(oriented.infos) };
      },
    };
  },
};
