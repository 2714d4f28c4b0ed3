/**
 * Options of the OCR steps, checked once when a step (or the reference runner) is created.
 * Every default is PaddleOCR's unless it says why not.
 */
import { DEFAULT_DET_MULTIPLE, DEFAULT_DET_SIZE, checkDetSize } from './det-preprocess.js';
import { resolveDbOptions, type DbOptions } from './db-postprocess.js';

export interface OcrOptions extends DbOptions {
  /** Longest side of the detection input (multiple of 32); larger images are shrunk. @defaultValue 960 */
  readonly detSize?: number;
  /**
   * Detection inputs are padded to a multiple of this on each side (multiple of 32): few shapes,
   * so images of similar size batch together. @defaultValue 320
   */
  readonly detMultiple?: number;
  /**
   * Longest line, in pixels at the 48-px line height; longer lines are squeezed to it (bounds
   * the recogniser's input). @defaultValue 1280
   */
  readonly maxLineWidth?: number;
  /** Minimum probability of "180°" for a line to be turned. @defaultValue 0.9 */
  readonly clsThreshold?: number;
  /**
   * Recogniser input widths are multiples of this (at least 320), so that requests with lines
   * of similar length have equal shapes and are batched together. @defaultValue 160
   */
  readonly recWidthBucket?: number;
  /** Lines read with a lower score are dropped (PaddleOCR's `drop_score`). @defaultValue 0.5 */
  readonly minScore?: number;
}

/** The models' fixed line height (PP-OCRv4 rec and the v2 classifier both take 48 px). */
export const LINE_HEIGHT = 48;
/** The orientation classifier's input width. */
export const CLS_WIDTH = 192;
/** PaddleOCR's smallest recogniser width for 48-px lines (its `rec_image_shape` 3,48,320). */
export const REC_MIN_WIDTH = 320;

export type ResolvedOcrOptions = Required<OcrOptions>;

const OPTION_NAMES = new Set(['threshold', 'boxThreshold', 'unclipRatio', 'maxCandidates', 'detSize', 'detMultiple', 'maxLineWidth', 'clsThreshold', 'recWidthBucket', 'minScore']);

/** Fills in defaults and checks ranges; an Error names the bad option. Unknown names are refused. */
export function resolveOcrOptions(options: Readonly<Record<string, unknown>> = {}): ResolvedOcrOptions {
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new RangeError(`unknown option ${key} (known: ${[...OPTION_NAMES].join(', ')})`);
  }
  const o = options as OcrOptions;
  const db = resolveDbOptions({
    ...(o.threshold === undefined ? {} : { threshold: o.threshold }),
    ...(o.boxThreshold === undefined ? {} : { boxThreshold: o.boxThreshold }),
    ...(o.unclipRatio === undefined ? {} : { unclipRatio: o.unclipRatio }),
    ...(o.maxCandidates === undefined ? {} : { maxCandidates: o.maxCandidates }),
  });
  const detSize = checkDetSize(o.detSize ?? DEFAULT_DET_SIZE, 'detSize');
  const detMultiple = checkDetSize(o.detMultiple ?? DEFAULT_DET_MULTIPLE, 'detMultiple');
  const maxLineWidth = integer('maxLineWidth', o.maxLineWidth ?? 1280, REC_MIN_WIDTH, 8192);
  const recWidthBucket = integer('recWidthBucket', o.recWidthBucket ?? 160, 1, 8192);
  const clsThreshold = fraction('clsThreshold', o.clsThreshold ?? 0.9);
  const minScore = fraction('minScore', o.minScore ?? 0.5);
  return { ...db, detSize, detMultiple, maxLineWidth, recWidthBucket, clsThreshold, minScore };
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  return value;
}

function fraction(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a number in [0, 1], got ${String(value)}`);
  return value;
}
