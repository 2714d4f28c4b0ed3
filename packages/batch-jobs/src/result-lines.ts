/**
 * Result lines of a batch. Chunks are stored as JSON Lines, one line per row in input order:
 * `{"row": <0-based index>, "outputs": [v2 output tensors]}` or `{"row", "error": {"code", "message"}}`.
 * CSV results are made from them when read: `row`, one column per output element
 * (`name` for one value per row, `name_0`, `name_1`, ... for more), `error_code`, `error_message`.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ResponseOutput, TensorMetadata } from '@inferq/contract';
import type { RowError } from './batch-types.js';

/** One JSON Lines result line (without the newline). */
export function resultLine(row: number, outcome: { outputs: ResponseOutput[] } | { error: RowError }): string {
  return JSON.stringify('outputs' in outcome ? { row, outputs: outcome.outputs } : { row, error: outcome.error });
}

interface OutputColumns {
  name: string;
  /** Values per row; undefined when the output has a dynamic non-batch dimension (one JSON cell). */
  width: number | undefined;
}

const csvCell = (value: unknown): string => {
  const text = typeof value === 'string' ? value : value === undefined ? '' : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Converts result JSON Lines (as stored) to CSV with a header, streaming. */
export class ResultCsvTransform extends Transform {
  readonly #columns: OutputColumns[];
  #headerSent = false;
  #rest = '';
  readonly #decoder = new StringDecoder('utf8');

  constructor(outputs: readonly TensorMetadata[]) {
    super({ writableObjectMode: false });
    this.#columns = outputs.map((o) => {
      const dims = o.shape.slice(1);
      return { name: o.name, width: dims.every((d) => d > 0) ? dims.reduce((a, b) => a * b, 1) : undefined };
    });
  }

  #header(): string {
    const names = ['row'];
    for (const c of this.#columns) {
      if (c.width === 1) names.push(c.name);
      else if (c.width === undefined) names.push(c.name);
      else for (let i = 0; i < c.width; i++) names.push(`${c.name}_${i}`);
    }
    names.push('error_code', 'error_message');
    return `${names.map(csvCell).join(',')}\n`;
  }

  #row(text: string): string {
    const line = JSON.parse(text) as { row: number; outputs?: ResponseOutput[]; error?: RowError };
    const cells: unknown[] = [line.row];
    for (const c of this.#columns) {
      const output = line.outputs?.find((o) => o.name === c.name);
      if (c.width === undefined) cells.push(output ? output.data : undefined);
      else for (let i = 0; i < c.width; i++) cells.push(output ? (output.data as unknown[])[i] : undefined);
    }
    cells.push(line.error?.code, line.error?.message);
    return `${cells.map(csvCell).join(',')}\n`;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.#headerSent) {
      this.push(this.#header());
      this.#headerSent = true;
    }
    const lines = (this.#rest + this.#decoder.write(chunk)).split('\n');
    this.#rest = lines.pop()!;
    let out = '';
    for (const text of lines) if (text !== '') out += this.#row(text);
    if (out) this.push(out);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.#headerSent) this.push(this.#header());
    const rest = this.#rest + this.#decoder.end();
    if (rest !== '') this.push(this.#row(rest));
    done();
  }
}
