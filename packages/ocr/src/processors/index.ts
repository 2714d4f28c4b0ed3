import type { ProcessorDefinition } from '@inferq/processing';
import { ocrClsPost } from './ocr-cls-post.js';
import { ocrDetPost } from './ocr-det-post.js';
import { ocrDetPre } from './ocr-det-pre.js';
import { ocrRecPost } from './ocr-rec-post.js';
import { ocrRecPre } from './ocr-rec-pre.js';

/**
 * The OCR steps, in pipeline order: det-pre → (ocr-det model) → det-post → (text-orientation
 * model) → cls-post → rec-pre → (ocr-rec model) → rec-post. `@inferq/processing` registers them.
 */
export const ocrProcessors: readonly ProcessorDefinition[] = [ocrDetPre, ocrDetPost, ocrClsPost, ocrRecPre, ocrRecPost];
