/**
 * Checks of a step's `options` from pipeline.json, run once at load. Each error names the option
 * and where it is (`<dir>/pipeline.json: steps[2] "probs"`), like a bad config.json.
 */
import type { StepSource } from './step.js';

type Options = Readonly<Record<string, unknown>>;

/** Throws when `options` holds a field not in `known`. */
export function onlyKnown(options: Options, known: readonly string[], source: StepSource): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${source.where}: unknown option "${key}" (known: ${known.join(', ') || 'none'})`);
  }
}

/** An integer option in [min, max], or `fallback` when absent. */
export function integerOption(options: Options, key: string, fallback: number, min: number, max: number, source: StepSource): number {
  const value = options[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${source.where}: option "${key}" must be an integer in [${min}, ${max}]`);
  }
  return value;
}

/** A finite number option, or `fallback` when absent. */
export function numberOption(options: Options, key: string, fallback: number, source: StepSource): number {
  const value = options[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${source.where}: option "${key}" must be a finite number`);
  return value;
}

/** A non-empty array of strings (required). */
export function stringsOption(options: Options, key: string, source: StepSource): string[] {
  const value = options[key];
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new Error(`${source.where}: option "${key}" must be a non-empty array of non-empty strings`);
  }
  if (new Set(value).size !== value.length) throw new Error(`${source.where}: option "${key}" holds a name twice`);
  return value as string[];
}

/** An array of `length` finite numbers, or `fallback` when absent. */
export function numbersOption(options: Options, key: string, fallback: number[], length: number, source: StepSource): number[] {
  const value = options[key] ?? fallback;
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`${source.where}: option "${key}" must be an array of ${length} finite numbers`);
  }
  return value as number[];
}

/** One of `choices`, or `fallback` when absent. */
export function choiceOption<T extends string>(options: Options, key: string, choices: readonly T[], fallback: T, source: StepSource): T {
  const value = options[key] ?? fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) throw new Error(`${source.where}: option "${key}" must be one of ${choices.join(', ')}`);
  return value as T;
}
