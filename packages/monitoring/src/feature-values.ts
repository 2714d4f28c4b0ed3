/**
 * Feature values as drift detection sees them: cleaning (Evidently drops null, NaN and ±Infinity
 * before any test), category counting and ordering, and Evidently's feature type inference.
 */

/** One value of one feature in one row. */
export type FeatureValue = number | string | boolean | null | undefined;

/** A usable categorical value (after cleaning). */
export type Category = number | string | boolean;

/** How a feature is compared: numeric (distributions) or categorical (frequencies). */
export type FeatureType = 'numeric' | 'categorical';

/**
 * Evidently's `NUMBER_UNIQUE_AS_CATEGORICAL`: an integer-valued feature with at most this many
 * distinct reference values is categorical.
 */
export const MAX_UNIQUE_FOR_CATEGORICAL = 5;

/** True for the values Evidently drops before testing: null, undefined, NaN, ±Infinity. */
export function isMissingValue(value: FeatureValue): value is null | undefined {
  return value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value));
}

/** The finite numbers among `values`; everything else (missing, NaN, ±Infinity, strings) is dropped. */
export function finiteNumbers(values: Iterable<FeatureValue>): number[] {
  const out: number[] = [];
  for (const value of values) if (typeof value === 'number' && Number.isFinite(value)) out.push(value);
  return out;
}

/** The usable values among `values`: missing, NaN and ±Infinity dropped. */
export function presentValues(values: Iterable<FeatureValue>): Category[] {
  const out: Category[] = [];
  for (const value of values) if (!isMissingValue(value)) out.push(value as Category);
  return out;
}

/** How often each value occurs (Map keys compare by SameValueZero: 1 and "1" are distinct). */
export function countCategories(values: Iterable<Category>): Map<Category, number> {
  const counts = new Map<Category, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

const TYPE_RANK = { number: 0, boolean: 1, string: 2 } as const;

/**
 * A total order on categories, the one Python's `sorted` gives for homogeneous keys: numbers by
 * value, then booleans (false < true), then strings by UTF-16 code units.
 */
export function compareCategories(a: Category, b: Category): number {
  const rankA = TYPE_RANK[typeof a as keyof typeof TYPE_RANK];
  const rankB = TYPE_RANK[typeof b as keyof typeof TYPE_RANK];
  if (rankA !== rankB) return rankA - rankB;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The distinct values among `values`, sorted by {@link compareCategories}. */
export function sortedCategories(values: Iterable<Category>): Category[] {
  return [...new Set(values)].sort(compareCategories);
}

/**
 * Evidently's column type inference (`_get_column_type`), mapped from pandas dtypes to values:
 * - any non-number value (string, boolean) → categorical (pandas `object` / `bool` dtype);
 * - all numbers integers, with at most {@link MAX_UNIQUE_FOR_CATEGORICAL} distinct reference
 *   values (the current window's when the reference has none) → categorical;
 * - otherwise numeric (floats are numeric however few their distinct values).
 * Missing values are ignored.
 */
export function inferFeatureType(reference: Iterable<FeatureValue>, current: Iterable<FeatureValue> = []): FeatureType {
  const referenceValues = presentValues(reference);
  const currentValues = presentValues(current);
  const all = [...referenceValues, ...currentValues];
  if (all.some((value) => typeof value !== 'number')) return 'categorical';
  if (all.every((value) => Number.isInteger(value))) {
    const unique = new Set(referenceValues.length > 0 ? referenceValues : currentValues).size;
    if (unique <= MAX_UNIQUE_FOR_CATEGORICAL) return 'categorical';
  }
  return 'numeric';
}
