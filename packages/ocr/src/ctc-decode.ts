/**
 * Greedy CTC decoding, PaddleOCR's `CTCLabelDecode`: the best class per time step, repeats
 * collapsed, blanks (class 0) removed; the score is the mean probability of the kept classes.
 */

/** A recognised line. */
export interface DecodedText {
  readonly text: string;
  /** Mean of the kept steps' probabilities; 0 when nothing was read. */
  readonly score: number;
}

/**
 * Decodes one line's `steps × classes` probabilities starting at `offset` of `probs`.
 * `characters[k]` is class `k + 1` (class 0 is the blank).
 */
export function ctcGreedyDecode(probs: Float32Array, offset: number, steps: number, classes: number, characters: readonly string[]): DecodedText {
  if (classes !== characters.length + 1) throw new RangeError(`the model has ${classes} classes but the dictionary ${characters.length} characters (+ blank = ${characters.length + 1})`);
  let text = '';
  let sum = 0, kept = 0, previous = -1;
  for (let t = 0; t < steps; t++) {
    const base = offset + t * classes;
    let best = 0, bestProb = probs[base]!;
    for (let k = 1; k < classes; k++) {
      const p = probs[base + k]!;
      if (p > bestProb) { best = k; bestProb = p; }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best - 1]!;
      sum += bestProb;
      kept++;
    }
    previous = best;
  }
  return { text, score: kept === 0 ? 0 : sum / kept };
}
