/**
 * Test support for this package's unit tests (not exported from the package): fixture loading
 * and tolerance assertions. Fixtures are written by scripts/generate-monitoring-fixtures.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** Parses `src/fixtures/<name>` (JSON). */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/**
 * Asserts |actual − expected| ≤ tolerance (absolute, default 1e-6, the package's agreed accuracy)
 * or, when `relative` is given, ≤ relative · |expected| as well as an alternative.
 */
export function assertClose(actual: number, expected: number, message: string, tolerance = 1e-6, relative?: number): void {
  if (Object.is(actual, expected)) return;
  const diff = Math.abs(actual - expected);
  const ok = diff <= tolerance || (relative !== undefined && diff <= relative * Math.abs(expected));
  assert.ok(ok, `${message}: expected ${expected}, got ${actual} (|diff| = ${diff})`);
}
