import { createHash, type Hash } from 'node:crypto';
import type { Tensor } from './tensor.js';

/** What makes two requests give the same prediction. */
export interface PredictionCacheKeyInput {
  model: string;
  /** The resolved version (never "latest"): another version is another entry. */
  version: string;
  /** Validated (or decoded) tensors: typed storage, whatever form the request used. */
  inputs: readonly Tensor[];
  /** Requested outputs; undefined = all (a different entry from naming every output). */
  outputs?: readonly string[] | undefined;
  /**
   * Request parameters that change the outputs. The v2 request has none today: `priority`,
   * `timeout_ms` and the request `id` change scheduling or per-request fields only, and
   * `binary_data_output` only the reply's encoding, so callers pass nothing; pipelines or batch
   * jobs that take output-changing parameters pass them here. @defaultValue none
   */
  parameters?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/**
 * The prediction cache key (docs/cache.md): lowercase hex SHA-256 over model, version, every input
 * (name, datatype, shape, raw little-endian element bytes; BYTES: each string's UTF-8 bytes) in
 * name order, the requested outputs (sorted) and the given parameters (sorted by name). Pure.
 *
 * It hashes the tensors' typed storage, not the request's JSON, so the JSON form, base64 and the
 * binary data extension of the same tensor give the same key. Every field is length-prefixed, so
 * no two different requests can frame to the same bytes.
 */
export function predictionCacheKey(input: PredictionCacheKeyInput): string {
  const hash = createHash('sha256');
  field(hash, 'inferq-cache-v1');
  field(hash, input.model);
  field(hash, input.version);
  const inputs = [...input.inputs].sort((a, b) => compare(a.name, b.name));
  count(hash, inputs.length);
  for (const tensor of inputs) {
    field(hash, tensor.name);
    field(hash, tensor.datatype);
    count(hash, tensor.shape.length);
    for (const dim of tensor.shape) count(hash, dim);
    const { data } = tensor;
    if (Array.isArray(data)) {
      count(hash, data.length);
      for (const text of data) field(hash, text);
    } else {
      // Typed arrays hold host byte order; the tensor package refuses big-endian hosts, so these are little-endian.
      bytes(hash, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  if (input.outputs === undefined) {
    count(hash, -1);
  } else {
    const outputs = [...new Set(input.outputs)].sort(compare);
    count(hash, outputs.length);
    for (const name of outputs) field(hash, name);
  }
  const parameters = Object.entries(input.parameters ?? {}).sort(([a], [b]) => compare(a, b));
  count(hash, parameters.length);
  for (const [name, value] of parameters) {
    field(hash, name);
    field(hash, `${typeof value}:${String(value)}`);
  }
  return hash.digest('hex');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function count(hash: Hash, value: number): void {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigInt64LE(BigInt(value));
  hash.update(buffer);
}

function bytes(hash: Hash, data: Uint8Array): void {
  count(hash, data.byteLength);
  hash.update(data);
}

function field(hash: Hash, text: string): void {
  bytes(hash, Buffer.from(text, 'utf8'));
}
