import { InferqError } from '@inferq/contract';

/** The HTTP header that carries the JSON header's length in the binary data extension. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

/** A request body in the binary data extension: a JSON header followed by raw tensor bytes. */
export interface BinaryBody {
  header: unknown;
  /** The bytes after the JSON header, consumed in input order by inputs with `parameters.binary_data_size`. */
  binary: Buffer;
}

/**
 * Splits a binary-extension body: the first `headerLength` bytes are the JSON inference request,
 * the rest are the tensors of the inputs that declare `parameters.binary_data_size`.
 */
export function splitBinaryBody(body: Buffer, headerLength: unknown): BinaryBody {
  const length = typeof headerLength === 'string' && /^\d{1,10}$/.test(headerLength) ? Number(headerLength) : Number.NaN;
  if (!Number.isSafeInteger(length) || length <= 0 || length > body.byteLength) {
    throw new InferqError('INVALID_REQUEST', `header Inference-Header-Content-Length must give the JSON header's byte length (1..${body.byteLength})`);
  }
  let header: unknown;
  try {
    header = JSON.parse(body.subarray(0, length).toString('utf8'));
  } catch (error) {
    throw new InferqError('INVALID_JSON', `the JSON header of the binary request is not valid JSON: ${(error as Error).message}`);
  }
  return { header, binary: body.subarray(length) };
}

/** Reads the binary sections of a body in order; each input takes its declared size. */
export class BinarySections {
  readonly #binary: Buffer;
  #offset = 0;

  constructor(binary: Buffer) {
    this.#binary = binary;
  }

  /** Takes the next `size` bytes for `inputName`. */
  take(size: unknown, inputName: string): Buffer {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new InferqError('INVALID_REQUEST', `input "${inputName}": parameters.binary_data_size must be a non-negative integer`);
    }
    if (this.#offset + size > this.#binary.byteLength) {
      throw new InferqError('ELEMENT_COUNT_MISMATCH', `input "${inputName}": binary_data_size ${size} runs past the end of the body (${this.#binary.byteLength - this.#offset} bytes left)`);
    }
    const slice = this.#binary.subarray(this.#offset, this.#offset + size);
    this.#offset += size;
    return slice;
  }

  /** Throws when bytes are left over (a size was declared too small). */
  assertConsumed(): void {
    if (this.#offset !== this.#binary.byteLength) {
      throw new InferqError('ELEMENT_COUNT_MISMATCH', `${this.#binary.byteLength - this.#offset} bytes of binary data are not claimed by any input's binary_data_size`);
    }
  }
}
