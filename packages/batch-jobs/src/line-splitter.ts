import { Transform, type TransformCallback } from 'node:stream';
import { BatchInputError } from './row-decoder.js';

/** Longest JSON Lines line accepted (a v2 request for one row is far below it). @defaultValue 1 MiB */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Splits a byte stream into lines (object mode, `\n` or `\r\n`), holding at most one line: a
 * line longer than `maxLineBytes` fails the stream, so a file without newlines cannot fill memory
 * (node:readline has no such bound).
 */
export class LineSplitter extends Transform {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #max: number;

  constructor(maxLineBytes = MAX_LINE_BYTES) {
    super({ readableObjectMode: true });
    this.#max = maxLineBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.#pending.push(chunk.subarray(start, nl));
      this.#emitLine();
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += chunk.length - start;
      if (this.#pendingBytes > this.#max) return done(new BatchInputError(`a line is longer than ${this.#max} bytes`));
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.#pendingBytes > 0) this.#emitLine();
    done();
  }

  #emitLine(): void {
    let text = Buffer.concat(this.#pending).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.push(text);
  }
}
