import type { Datatype, InferenceResponse } from '@inferq/contract';
import { toFloat16Bits } from './float16.js';
import { allocateValues, type TensorValues } from './tensor.js';
import { valuesToBytes } from './binary-values.js';
import { isFloatDatatype, nonFiniteBits } from './non-finite.js';

/**
 * A v2 response in the binary data extension: the JSON header (outputs chosen by `binary` carry
 * `parameters.binary_data_size` and no `data`) followed by their raw little-endian bytes.
 * @returns the body and the length of its JSON header, for `Inference-Header-Content-Length`.
 */
export function encodeBinaryResponse<T extends { result?: InferenceResponse } | InferenceResponse>(
  document: T, binary: (outputName: string) => boolean,
): { body: Buffer; headerLength: number } {
  const response = ('outputs' in document ? document : document.result) as InferenceResponse | undefined;
  const chunks: Uint8Array[] = [];
  const outputs = (response?.outputs ?? []).map((output) => {
    if (!binary(output.name)) return output;
    const bytes = valuesToBytes(valuesFromJsonData(output.data, output.datatype));
    chunks.push(bytes);
    const { data: _data, ...rest } = output;
    return { ...rest, parameters: { ...output.parameters, binary_data_size: bytes.byteLength } };
  });
  const header = response === undefined ? document
    : 'outputs' in document ? { ...document, outputs }
    : { ...document, result: { ...response, outputs } };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...chunks]), headerLength: json.byteLength };
}

/**
 * Packs JSON output values (as stored in results) into the datatype's storage. A non-finite
 * string (see non-finite.ts) is written back as its exact IEEE bits.
 */
function valuesFromJsonData(data: ReadonlyArray<number | boolean | string>, datatype: Datatype): TensorValues {
  const out = allocateValues(datatype, data.length);
  if (Array.isArray(out)) return data.map(String);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (typeof v === 'string' && isFloatDatatype(datatype)) {
      const bits = nonFiniteBits(v, datatype);
      if (bits === undefined) throw new Error(`output value "${v}" is not a number`);
      if (datatype === 'FP16') (out as Uint16Array)[i] = Number(bits);
      else if (datatype === 'FP32') view.setUint32(i * 4, Number(bits), true);
      else view.setBigUint64(i * 8, bits, true);
      continue;
    }
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v as number);
    else if (datatype === 'FP16') out[i] = toFloat16Bits(v as number);
    else (out as Float32Array)[i] = typeof v === 'boolean' ? Number(v) : (v as number);
  }
  return out;
}
