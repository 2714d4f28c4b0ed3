/**
 * IEEE 754 half-precision conversion. FP16 tensors are stored as their raw 16-bit patterns
 * (what onnxruntime's float16 tensors take), so JSON numbers must be converted on the way in
 * and out. Rounds to nearest even, as hardware does.
 */
const scratch = new DataView(new ArrayBuffer(8));

/** The half-precision bit pattern nearest to `value`. */
export function toFloat16Bits(value: number): number {
  // Round straight from the float64 bits: going through float32 first would round twice
  // (1 + 2^-11 + 2^-40 would become the tie 1 + 2^-11 and then round down to 1).
  scratch.setFloat64(0, value);
  const high = scratch.getUint32(0);
  const low = scratch.getUint32(4);
  const sign = (high >>> 16) & 0x8000;
  const exponent = (high >>> 20) & 0x7ff;
  const mantissa = high & 0xfffff; // top 20 of the 52 mantissa bits; `low` holds the rest
  if (exponent === 0x7ff) return sign | 0x7c00 | (mantissa !== 0 || low !== 0 ? 0x200 : 0); // Inf / NaN
  const halfExponent = exponent - 1023 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign; // below half the smallest subnormal → ±0
    const significand = mantissa | 0x100000; // subnormal: restore the implicit bit, then shift into place
    const shift = 11 - halfExponent;
    const truncated = significand >>> shift;
    const remainder = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const roundUp = remainder > halfway || (remainder === halfway && (low !== 0 || (truncated & 1) === 1));
    return sign | (truncated + (roundUp ? 1 : 0));
  }
  const half = sign | (halfExponent << 10) | (mantissa >>> 10);
  const roundBit = (mantissa >>> 9) & 1;
  const sticky = (mantissa & 0x1ff) !== 0 || low !== 0;
  // Round to nearest, ties to even; a carry into the exponent is still the right answer.
  return roundBit && (sticky || (half & 1)) ? half + 1 : half;
}

/** The number a half-precision bit pattern stands for. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
