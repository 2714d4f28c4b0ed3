/**
 * Every processor a pipeline.json may name: the built-ins plus those of libraries (the PP-OCR
 * steps of `@inferq/ocr`, which imports this package's types only, so there is no cycle).
 */
import { ocrProcessors } from '@inferq/ocr';
import type { ProcessorDefinition } from './step.js';
import { BUILT_IN_PROCESSORS } from './processors/index.js';

/** Processors by name; throws at import if two share a name. */
export function processorRegistry(definitions: readonly ProcessorDefinition[] = [...BUILT_IN_PROCESSORS, ...ocrProcessors]): ReadonlyMap<string, ProcessorDefinition> {
  const byName = new Map<string, ProcessorDefinition>();
  for (const definition of definitions) {
    if (byName.has(definition.name)) throw new Error(`two processors are named "${definition.name}"`);
    byName.set(definition.name, definition);
  }
  return byName;
}

/** The registry the worker and the API use. */
export const PROCESSORS = processorRegistry([...BUILT_IN_PROCESSORS, ...ocrProcessors]);
