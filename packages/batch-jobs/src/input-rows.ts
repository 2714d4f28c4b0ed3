/**
 * Reads a batch input file row by row, streaming: memory holds one parser buffer and one row,
 * whatever the file's size. Used twice: by the API to validate the whole file before anything is
 * queued, then by the worker to run it.
 */
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { InferqError } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import type { Tensor } from '@inferq/tensor';
import type { BatchFormat, RowError } from './batch-types.js';
import { LineSplitter } from './line-splitter.js';
import { BatchInputError, csvRowDecoder, jsonRowDecoder } from './row-decoder.js';

/** One row: its 0-based index among the data rows, its 1-based line in the file, its tensors or its error. */
export type InputRow =
  | { index: number; line: number; inputs: Tensor[] }
  | { index: number; line: number; error: RowError };

const rowFailure = (error: unknown): RowError => {
  if (error instanceof InferqError) return { code: error.code, message: error.message };
  throw error;
};

/**
 * The rows of `source`. Throws a {@link BatchInputError} (INVALID_BATCH_INPUT, with the line) when
 * the file's structure is broken: no header, a ragged CSV row, an unclosed quote, a line that is
 * not JSON. A bad value fails its row alone (yielded with `error`).
 */
export async function* inputRows(source: Readable, format: BatchFormat, model: ModelVersion, decodeRows = true): AsyncGenerator<InputRow> {
  if (format === 'csv') yield* csvRows(source, model, decodeRows);
  else yield* jsonRows(source, model, decodeRows);
}

/** No tensors: the structure pass of the API checks lines, not values (those fail rows alone later). */
const NOT_DECODED: Tensor[] = [];

async function* csvRows(source: Readable, model: ModelVersion, decodeRows: boolean): AsyncGenerator<InputRow> {
  const parser = source.pipe(parse({ info: true, bom: true, skip_empty_lines: true, max_record_size: 1 << 20 }));
  source.once('error', (error) => parser.destroy(error));
  let decode: ((cells: readonly string[], line: number) => Tensor[]) | undefined;
  let index = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!decode) {
        decode = csvRowDecoder(model, record);
        continue;
      }
      const line = info.lines;
      if (!decodeRows) {
        yield { index, line, inputs: NOT_DECODED };
        index++;
        continue;
      }
      try {
        yield { index, line, inputs: decode(record, line) };
      } catch (error) {
        yield { index, line, error: rowFailure(error) };
      }
      index++;
    }
  } catch (error) {
    if (error instanceof CsvError) throw new BatchInputError(`malformed CSV: ${error.message}`);
    throw error;
  }
  if (!decode) throw new BatchInputError('the CSV has no header row');
}

async function* jsonRows(source: Readable, model: ModelVersion, decodeRows: boolean): AsyncGenerator<InputRow> {
  const lines = source.pipe(new LineSplitter());
  source.once('error', (error) => lines.destroy(error));
  const decode = jsonRowDecoder(model);
  let index = 0;
  let line = 0;
  for await (const text of lines as AsyncIterable<string>) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new BatchInputError(`line ${line} is not valid JSON (${(error as Error).message.slice(0, 120)})`);
    }
    if (!decodeRows) {
      yield { index, line, inputs: NOT_DECODED };
      index++;
      continue;
    }
    try {
      yield { index, line, inputs: decode(value, line) };
    } catch (error) {
      yield { index, line, error: rowFailure(error) };
    }
    index++;
  }
}

/**
 * Reads the whole input once and counts its rows; throws BatchInputError when it is malformed or
 * empty. The structure pass of the API: it reads records straight from the parser, without the
 * per-row generator, line info and tensors of {@link inputRows} (3× faster, far less garbage).
 */
export async function countInputRows(source: Readable, format: BatchFormat, model: ModelVersion): Promise<number> {
  let rows = 0;
  if (format === 'csv') {
    const parser = source.pipe(parse({ bom: true, skip_empty_lines: true, max_record_size: 1 << 20 }));
    source.once('error', (error) => parser.destroy(error));
    let header = true;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (header) {
          csvRowDecoder(model, record); // throws when the header does not fit the model
          header = false;
        } else rows++;
      }
    } catch (error) {
      if (error instanceof CsvError) throw new BatchInputError(`malformed CSV: ${error.message}`);
      throw error;
    }
    if (header) throw new BatchInputError('the CSV has no header row');
  } else {
    const lines = source.pipe(new LineSplitter());
    source.once('error', (error) => lines.destroy(error));
    let line = 0;
    for await (const text of lines as AsyncIterable<string>) {
      line++;
      if (text.trim() === '') continue;
      try {
        JSON.parse(text);
      } catch (error) {
        throw new BatchInputError(`line ${line} is not valid JSON (${(error as Error).message.slice(0, 120)})`);
      }
      rows++;
    }
  }
  if (rows === 0) throw new BatchInputError('the input holds no rows');
  return rows;
}
