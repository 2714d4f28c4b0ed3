import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ObjectStoreError } from './object-store-error.js';

/** A lower-case hex SHA-256 digest. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** True when `value` is a lower-case hex SHA-256 digest. */
export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256_PATTERN.test(value);
}

/**
 * A pass-through stream that hashes and counts what flows through it and fails with
 * `too-large` as soon as more than `maxBytes` went by, so an oversize upload is cut off
 * after `maxBytes`, never read to its end.
 */
export class HashingLimit extends Transform {
  readonly #hash = createHash('sha256');
  readonly #maxBytes: number;
  #bytes = 0;
  #digest: string | undefined;

  constructor(maxBytes: number) {
    super();
    this.#maxBytes = maxBytes;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The hex SHA-256 of everything seen; only once the stream has ended. */
  get sha256(): string {
    if (this.#digest === undefined) throw new Error('the stream has not ended');
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      callback(new ObjectStoreError('too-large', `more than ${this.#maxBytes} bytes`));
      return;
    }
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#digest = this.#hash.digest('hex');
    callback();
  }
}
