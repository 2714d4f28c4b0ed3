/**
 * Non-finite floating-point values (NaN, ±∞) in JSON, which has no literal for them
 * (`JSON.stringify(NaN)` is `null`). In the JSON `data` of an FP16/FP32/FP64 output such a value
 * is a string:
 * - `"Infinity"`, `"-Infinity"`;
 * - `"NaN"` for the datatype's canonical quiet NaN (FP32 `0x7fc00000`, FP64 `0x7ff8000000000000`,
 *   FP16 `0x7e00`), else `"NaN:0x<hex bits>"` (e.g. `"NaN:0xffc00000"`, the NaN x86 produces), so
 *   the exact IEEE bits survive storage and come back unchanged in binary outputs;
 * and the output carries `parameters.non_finite`: how many of its values are such strings.
 * Documented in docs/api.md ("Non-finite outputs").
 */
import type { Datatype } from '@inferq/contract';

type FloatDatatype = 'FP16' | 'FP32' | 'FP64';

const CANONICAL_NAN: Readonly<Record<FloatDatatype, bigint>> = { FP16: 0x7e00n, FP32: 0x7fc00000n, FP64: 0x7ff8000000000000n };
const HEX_DIGITS: Readonly<Record<FloatDatatype, number>> = { FP16: 4, FP32: 8, FP64: 16 };

/** True for the datatypes whose values can be non-finite. */
export function isFloatDatatype(datatype: Datatype): datatype is FloatDatatype {
  return datatype === 'FP16' || datatype === 'FP32' || datatype === 'FP64';
}

/** The JSON string of a non-finite value, from its number and IEEE bits. */
export function nonFiniteToJson(value: number, bits: bigint, datatype: FloatDatatype): string {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (bits === CANONICAL_NAN[datatype]) return 'NaN';
  return `NaN:0x${bits.toString(16).padStart(HEX_DIGITS[datatype], '0')}`;
}

/**
 * The IEEE bits a JSON string of {@link nonFiniteToJson} stands for; undefined when `text` is no
 * such string.
 */
export function nonFiniteBits(text: string, datatype: FloatDatatype): bigint | undefined {
  if (text === 'NaN') return CANONICAL_NAN[datatype];
  if (text === 'Infinity' || text === '-Infinity') {
    const negative = text.startsWith('-');
    if (datatype === 'FP16') return negative ? 0xfc00n : 0x7c00n;
    if (datatype === 'FP32') return negative ? 0xff800000n : 0x7f800000n;
    return negative ? 0xfff0000000000000n : 0x7ff0000000000000n;
  }
  const match = /^NaN:0x([0-9a-f]+)$/.exec(text);
  return match && match[1]!.length === HEX_DIGITS[datatype] ? BigInt(`0x${match[1]}`) : undefined;
}

/** How many values of a JSON output are non-finite strings (0 for other datatypes). */
export function countNonFinite(data: ReadonlyArray<number | boolean | string>, datatype: Datatype): number {
  if (!isFloatDatatype(datatype)) return 0;
  let count = 0;
  for (const v of data) if (typeof v === 'string') count++;
  return count;
}
