import type { ProcessorDefinition } from '../step.js';
import { argmax } from './argmax.js';
import { image } from './image.js';
import { labels } from './labels.js';
import { merge } from './merge.js';
import { namedFeatures } from './named-features.js';
import { softmax } from './softmax.js';
import { topk } from './topk.js';

/** The built-in processors, by name. */
export const BUILT_IN_PROCESSORS: readonly ProcessorDefinition[] = [namedFeatures, image, softmax, argmax, topk, labels, merge];
