/**
 * Finite checks on the raw IEEE bits of float tensors: an element is NaN or ±∞ exactly when its
 * exponent bits are all ones. Reading the bits through an integer view is cheaper than
 * `Number.isFinite` on each float, and one small function per datatype keeps each loop
 * monomorphic (one typed-array kind per call site). Measured on a 27 648-float image
 * (text-orientation, FP32): 91 → 64 µs per image in a microbenchmark; see docs/benchmarks.md
 * ("Binary images, issue 11").
 *
 * Each returns the index of the first non-finite element, or -1 when all are finite.
 */

const FP16_EXPONENT = 0x7c00;
const FP32_EXPONENT = 0x7f800000;
/** The exponent bits of an FP64 in its high 32-bit word. */
const FP64_HIGH_EXPONENT = 0x7ff00000;

/** FP16 carried as raw half bits. */
export function firstNonFiniteFp16(halves: Uint16Array): number {
  for (let i = 0; i < halves.length; i++) {
    if ((halves[i]! & FP16_EXPONENT) === FP16_EXPONENT) return i;
  }
  return -1;
}

/** FP32 values, given as their bits (a Uint32Array over the same bytes). */
export function firstNonFiniteFp32(bits: Uint32Array): number {
  for (let i = 0; i < bits.length; i++) {
    if ((bits[i]! & FP32_EXPONENT) === FP32_EXPONENT) return i;
  }
  return -1;
}

/**
 * FP64 values, given as their 32-bit words (a Uint32Array over the same bytes, twice as long):
 * on a little-endian host (the only kind inferq runs on, see binary-codec.ts) the high word of
 * element i, which holds the exponent, is word 2i + 1.
 */
export function firstNonFiniteFp64(words: Uint32Array): number {
  for (let i = 1; i < words.length; i += 2) {
    if ((words[i]! & FP64_HIGH_EXPONENT) === FP64_HIGH_EXPONENT) return (i - 1) / 2;
  }
  return -1;
}
