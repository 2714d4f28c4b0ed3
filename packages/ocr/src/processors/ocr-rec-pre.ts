import type { ProcessorDefinition } from '@inferq/processing';
import { LINE_HEIGHT, resolveOcrOptions } from '../ocr-options.js';
import { recInput } from '../ocr-stages.js';
import { fp32, input, pickOptions, readLineInfo, readLines, sameRows } from './tensor-io.js';

/**
 * `ocr-rec-pre`: `lines` and `lineInfo` → `x` (FP32 [m, 3, 48, W], the recogniser's input;
 * W a multiple of `recWidthBucket`, default 160, at least 320).
 */
export const ocrRecPre: ProcessorDefinition = {
  name: 'ocr-rec-pre',
  description: 'OCR: normalise text lines into the recogniser input (48 px high, bucketed width)',
  create(options) {
    const resolved = resolveOcrOptions(pickOptions(options, ['recWidthBucket']));
    return {
      run(inputs) {
        const linesInput = input(inputs, 'lines', 'UINT8', 4);
        const infoInput = input(inputs, 'lineInfo', 'BYTES', 1);
        const rows = sameRows(linesInput, infoInput);
        const { data, width } = recInput(readLines(linesInput, readLineInfo(infoInput)), resolved);
        return { x: fp32('x', [rows, 3, LINE_HEIGHT, width], data) };
      },
    };
  },
};
