/**
 * The OCR pipeline's stages between the models, on plain arrays: shared by the pipeline steps
 * (which only add tensor packing) and by the in-process reference runner, so both compute the
 * same thing by construction.
 */
import { sortBoxes } from './box-order.js';
import { cropLine, lineWidth, rotateLine180, type LineImage } from './crop-line.js';
import { ctcGreedyDecode } from './ctc-decode.js';
import { dbPostprocess } from './db-postprocess.js';
import type { DetGeometry } from './det-preprocess.js';
import type { Quad } from './geometry.js';
import type { RgbImage } from './image.js';
import { linesToTensor, recTensorWidth } from './line-tensor.js';
import { CLS_WIDTH, LINE_HEIGHT, REC_MIN_WIDTH, type ResolvedOcrOptions } from './ocr-options.js';

/** What travels with each text line from detection to the result. */
export interface LineInfo {
  /** Index of the image (row of the request) the line comes from. */
  readonly image: number;
  /** Corners in source pixels, clockwise from the top-left of the text as detected. */
  readonly box: Quad;
  readonly detScore: number;
  /** Width of the line image (height {@link LINE_HEIGHT}). */
  readonly width: number;
  /** 180 when the classifier turned the line; set by {@link applyOrientation}. */
  readonly angle?: 0 | 180;
  readonly clsScore?: number;
}

/** One recognised line of the final result. */
export interface OcrResult {
  readonly text: string;
  /** Recognition confidence (mean CTC probability). */
  readonly score: number;
  /** Corners in source pixels (integers), clockwise from the top-left. */
  readonly box: Quad;
  /** 180 when the line was read upside down. */
  readonly angle: 0 | 180;
}

/** Lines of one image (its map: rows of `mapStride` values): the detector's boxes in reading order, cropped for the recogniser and the classifier. */
export function extractLines(image: RgbImage, imageIndex: number, map: Float32Array, mapStride: number, geometry: DetGeometry, options: ResolvedOcrOptions): { lines: LineImage[]; clsLines: LineImage[]; infos: LineInfo[] } {
  const boxes = sortBoxes(dbPostprocess(map, mapStride, geometry, options));
  const lines: LineImage[] = [];
  const clsLines: LineImage[] = [];
  const infos: LineInfo[] = [];
  for (const { box, score } of boxes) {
    const width = Math.min(options.maxLineWidth, lineWidth(box, LINE_HEIGHT));
    const line = cropLine(image, box, LINE_HEIGHT, width);
    lines.push(line);
    // The classifier squeezes long lines to 192 px (PaddleOCR resizes the crop to 48 × min(192, w)).
    clsLines.push(width <= CLS_WIDTH ? line : cropLine(image, box, LINE_HEIGHT, CLS_WIDTH));
    infos.push({ image: imageIndex, box, detScore: score, width });
  }
  return { lines, clsLines, infos };
}

/** The classifier's input for `clsLines`: FP32 `[n, 3, 48, 192]`. */
export function clsInput(clsLines: readonly LineImage[]): Float32Array {
  return linesToTensor(clsLines, LINE_HEIGHT, CLS_WIDTH);
}

/**
 * Turns the lines the classifier calls "180°" with probability above the threshold
 * (`probs` is `[n, 2]`: upright, upside down).
 */
export function applyOrientation(lines: readonly LineImage[], infos: readonly LineInfo[], probs: Float32Array, threshold: number): { lines: LineImage[]; infos: LineInfo[] } {
  const outLines: LineImage[] = [];
  const outInfos: LineInfo[] = [];
  lines.forEach((line, i) => {
    const upright = probs[i * 2]!;
    const flipped = probs[i * 2 + 1]!;
    const turn = flipped > upright && flipped > threshold;
    outLines.push(turn ? rotateLine180(line) : line);
    outInfos.push({ ...infos[i]!, angle: turn ? 180 : 0, clsScore: Math.max(upright, flipped) });
  });
  return { lines: outLines, infos: outInfos };
}

/** The recogniser's input for `lines`: FP32 `[n, 3, 48, width]`, width bucketed. */
export function recInput(lines: readonly LineImage[], options: ResolvedOcrOptions): { data: Float32Array; width: number } {
  const width = recTensorWidth(Math.max(1, ...lines.map((l) => l.width)), REC_MIN_WIDTH, options.recWidthBucket);
  return { data: linesToTensor(lines, LINE_HEIGHT, width), width };
}

/**
 * Decodes the recogniser's `[n, steps, classes]` output and groups the lines by image;
 * lines scoring under `minScore` or reading as nothing are dropped.
 */
export function decodeResults(probs: Float32Array, steps: number, classes: number, infos: readonly LineInfo[], imageCount: number, characters: readonly string[], options: ResolvedOcrOptions): OcrResult[][] {
  const results: OcrResult[][] = Array.from({ length: imageCount }, () => []);
  infos.forEach((info, i) => {
    const { text, score } = ctcGreedyDecode(probs, i * steps * classes, steps, classes, characters);
    if (score < options.minScore || text.trim() === '') return;
    const target = results[info.image];
    if (target === undefined) throw new RangeError(`line ${i} belongs to image ${info.image}, but there are ${imageCount} images`);
    target.push({ text, score, box: info.box, angle: info.angle ?? 0 });
  });
  return results;
}
