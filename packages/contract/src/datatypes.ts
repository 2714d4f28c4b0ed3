/**
 * Open Inference Protocol v2 tensor datatypes and how each maps to memory and to onnxruntime.
 * One table so the API (validation), the wire (binary encoding) and the worker (ORT tensors)
 * never disagree about sizes or value ranges.
 */

/** The tensor datatypes of the Open Inference Protocol v2. */
export const DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'FP32', 'FP64', 'BYTES',
] as const;

/** One Open Inference Protocol v2 datatype name. */
export type Datatype = (typeof DATATYPES)[number];

/** How the values of a datatype are written in JSON and checked. */
export type ValueKind = 'bool' | 'integer' | 'bigint' | 'float' | 'bytes';

/** Facts about one datatype. */
export interface DatatypeInfo {
  /** Bytes per element in the little-endian binary form; 0 for BYTES (variable length). */
  readonly byteSize: number;
  /** The onnxruntime tensor type name. */
  readonly ortType: string;
  /** How JSON values of this type are validated. */
  readonly kind: ValueKind;
  /** Inclusive value range for integer kinds. */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
}

export const DATATYPE_INFO: Readonly<Record<Datatype, DatatypeInfo>> = Object.freeze({
  BOOL: { byteSize: 1, ortType: 'bool', kind: 'bool' },
  UINT8: { byteSize: 1, ortType: 'uint8', kind: 'integer', min: 0, max: 255 },
  UINT16: { byteSize: 2, ortType: 'uint16', kind: 'integer', min: 0, max: 65_535 },
  UINT32: { byteSize: 4, ortType: 'uint32', kind: 'integer', min: 0, max: 4_294_967_295 },
  UINT64: { byteSize: 8, ortType: 'uint64', kind: 'bigint', min: 0n, max: 18_446_744_073_709_551_615n },
  INT8: { byteSize: 1, ortType: 'int8', kind: 'integer', min: -128, max: 127 },
  INT16: { byteSize: 2, ortType: 'int16', kind: 'integer', min: -32_768, max: 32_767 },
  INT32: { byteSize: 4, ortType: 'int32', kind: 'integer', min: -2_147_483_648, max: 2_147_483_647 },
  INT64: { byteSize: 8, ortType: 'int64', kind: 'bigint', min: -9_223_372_036_854_775_808n, max: 9_223_372_036_854_775_807n },
  FP16: { byteSize: 2, ortType: 'float16', kind: 'float' },
  FP32: { byteSize: 4, ortType: 'float32', kind: 'float' },
  FP64: { byteSize: 8, ortType: 'float64', kind: 'float' },
  BYTES: { byteSize: 0, ortType: 'string', kind: 'bytes' },
});

/** True when `value` names an Open Inference Protocol v2 datatype. */
export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

const ORT_TO_DATATYPE: ReadonlyMap<string, Datatype> = new Map(
  DATATYPES.map((d) => [DATATYPE_INFO[d].ortType, d] as const),
);

/** Maps an onnxruntime tensor type name (e.g. `float32`) to the protocol datatype, if any. */
export function datatypeFromOrt(ortType: string): Datatype | undefined {
  return ORT_TO_DATATYPE.get(ortType);
}
