/**
 * Character accuracy of OCR output: 1 − (Levenshtein distance / length of the truth), at least 0.
 * The distance is the textbook dynamic programme (two rows), written here rather than taken
 * from a package: a dozen lines for one test metric on strings of a few hundred characters.
 */

/** Edit distance (insertions, deletions, substitutions) between `a` and `b`, by code point. */
export function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** 1 − normalised edit distance of `read` against `truth` (1 = perfect, 0 = nothing right). */
export function characterAccuracy(truth: string, read: string): number {
  if (truth.length === 0) return read.length === 0 ? 1 : 0;
  return Math.max(0, 1 - levenshtein(truth, read) / [...truth].length);
}
