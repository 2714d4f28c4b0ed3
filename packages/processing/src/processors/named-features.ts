import { InferqError } from '@inferq/contract';
import type { ProcessorDefinition } from '../step.js';
import { onlyKnown, stringsOption } from '../options.js';
import { strings, theInput } from '../tensor-access.js';

/**
 * Reads one named-features row (`{"sepal_length": 5.1, ...}`) into its values in `featureNames`
 * order. Throws INVALID_FEATURE, MISSING_FEATURE or UNKNOWN_FEATURE naming the field; `where`
 * says which row (`inputs[0].data[2]`). Shared by the API (checked at submit: a 400, never a
 * failed job) and the worker step.
 */
export function readFeatureRow(row: unknown, featureNames: readonly string[], where: string): number[] {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new InferqError('INVALID_FEATURE', `${where} must be an object of named features (${featureNames.join(', ')})`);
  }
  const record = row as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!featureNames.includes(key)) {
      throw new InferqError('UNKNOWN_FEATURE', `${where}: field "${key.slice(0, 64)}" is not a feature of this model (features: ${featureNames.join(', ')})`);
    }
  }
  return featureNames.map((name) => {
    if (!Object.hasOwn(record, name)) throw new InferqError('MISSING_FEATURE', `${where}: field "${name}" is missing`);
    const value = record[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InferqError('INVALID_FEATURE', `${where}: field "${name}" must be a finite number`);
    return value;
  });
}

/** Parses the JSON text of one row, then reads it (see {@link readFeatureRow}). */
export function parseFeatureRow(text: string, featureNames: readonly string[], where: string): number[] {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    throw new InferqError('INVALID_FEATURE', `${where} is not a JSON object of named features`);
  }
  return readFeatureRow(row, featureNames, where);
}

/**
 * `named-features`: `input` BYTES [n] of JSON objects → `output` FP32 [n, F], columns in the
 * order of the `featureNames` option (required).
 */
export const namedFeatures: ProcessorDefinition = {
  name: 'named-features',
  description: 'input BYTES [n] of JSON {feature: number} rows → output FP32 [n, F] in featureNames order',
  create(options, source) {
    onlyKnown(options, ['featureNames'], source);
    const featureNames = stringsOption(options, 'featureNames', source);
    return {
      run(inputs, { stepId }) {
        const input = theInput(inputs, stepId);
        const rows = strings(input);
        const data = new Float32Array(rows.length * featureNames.length);
        rows.forEach((text, r) => data.set(parseFeatureRow(text, featureNames, `${input.name}[${r}]`), r * featureNames.length));
        return { output: { name: 'output', datatype: 'FP32', shape: [rows.length, featureNames.length], data } };
      },
    };
  },
};
