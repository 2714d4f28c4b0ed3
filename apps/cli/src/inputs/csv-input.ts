/** CSV rows → one batch of the model's single input: one row per line, a header row skipped. */
import { parse } from 'csv-parse/sync';
import type { TensorInput } from '@inferq/client';
import type { ModelMetadata } from '@inferq/contract';
import { UsageError } from '../exit-codes.js';

/** Reads CSV `text` as rows of numbers for a model whose one input is `[batch, features]`. */
export function inputsFromCsv(text: string, metadata: ModelMetadata, source: string): TensorInput[] {
  if (metadata.inputs.length !== 1 || metadata.inputs[0]!.shape.length !== 2) {
    throw new UsageError(`${source}: CSV rows fit a model with one input of shape [batch, features]; ${metadata.name} has ${metadata.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join(', ')}`);
  }
  const input = metadata.inputs[0]!;
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, comment: '#' }) as string[][];
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message}`);
  }
  // A first row that is not all numbers is a header.
  if (records.length > 0 && records[0]!.some((cell) => cell === '' || Number.isNaN(Number(cell)))) records = records.slice(1);
  if (records.length === 0) throw new UsageError(`${source}: no data rows`);
  const width = input.shape[1]!;
  const rows = records.map((record, r) => {
    if (width !== -1 && record.length !== width) throw new UsageError(`${source}: row ${r + 1} has ${record.length} values, ${input.name} takes ${width}`);
    return record.map((cell, c) => {
      const value = Number(cell);
      if (cell === '' || Number.isNaN(value)) throw new UsageError(`${source}: row ${r + 1}, column ${c + 1}: "${cell}" is not a number`);
      return value;
    });
  });
  return [{ name: input.name, datatype: input.datatype, data: rows }];
}
