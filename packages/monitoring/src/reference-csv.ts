/**
 * The one reader of reference samples (`models/<name>/<version>/reference.csv` and uploads through
 * `PUT /v1/models/:model/versions/:version/reference`): the API checks an upload with it and the
 * monitor reads the stored sample with it, so what is accepted is what drift detection sees.
 * Built on csv-parse (RFC 4180).
 *
 * ```csv
 * sepal_length,sepal_width,petal_length,petal_width,label
 * 5.1,3.5,1.4,0.2,0
 * ```
 *
 * - A header row of unique, non-empty column names, then one row per sample, every row as wide
 *   as the header. Quoted cells may hold commas, newlines and doubled quotes; blank lines are
 *   skipped; a UTF-8 byte order mark and CRLF line ends are accepted; cells are trimmed.
 * - A cell whose text is a decimal number (`1`, `-2.5`, `.5`, `1e-3`), quoted or not, becomes a
 *   number (as pandas reads `"1"`); `0x10`, `1_000`, `Infinity` and the like stay text.
 * - Empty cells and the usual missing markers (NA, N/A, NaN, nan, null, NULL — a subset of pandas'
 *   defaults) become null; anything else stays a string.
 * - Limits bound what a hostile file can cost: columns, data rows, cells and characters per row
 *   (see {@link ReferenceCsvLimits}); parsing stops at the first row past a limit.
 */
import { CsvError, parse as parseStream, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

/** One reference row: column name → value. */
export type ReferenceRow = Record<string, number | string | null>;

/** A parsed reference file. */
export interface ReferenceTable {
  /** Column names in file order. */
  columns: string[];
  /** One object per data row, keyed by column name. */
  rows: ReferenceRow[];
}

/** Bounds on a reference sample; the API and the monitor read the same settings. */
export interface ReferenceCsvLimits {
  /** Most columns in the header. @defaultValue 1000 */
  maxColumns?: number;
  /** Most data rows (the header not counted). @defaultValue 100000 */
  maxRows?: number;
  /** Most characters in one row, quoted newlines included. @defaultValue 1048576 */
  maxRowChars?: number;
  /** Most cells (columns × data rows): bounds memory whatever the shape (2e6 cells ≈ 170 MiB). @defaultValue 2000000 */
  maxCells?: number;
}

/** Defaults of {@link ReferenceCsvLimits}. */
export const DEFAULT_REFERENCE_LIMITS: Readonly<Required<ReferenceCsvLimits>> = Object.freeze({
  maxColumns: 1_000,
  maxRows: 100_000,
  maxRowChars: 1_048_576,
  maxCells: 2_000_000,
});

/** A reference sample that cannot be used, with a message naming the problem (and its line). */
export class ReferenceCsvError extends SyntaxError {
  override readonly name = 'ReferenceCsvError';
}

const MISSING_MARKERS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A cell's value: number, null (missing) or text, by the rules in the header comment. */
export function referenceCellValue(text: string): number | string | null {
  if (MISSING_MARKERS.has(text)) return null;
  return NUMBER.test(text) ? Number(text) : text;
}

/** Options both parsers give csv-parse, and the collector that turns records into rows within the limits. */
function reader(limits: ReferenceCsvLimits): { options: Options; table(): ReferenceTable } {
  const { maxColumns, maxRows, maxRowChars, maxCells } = { ...DEFAULT_REFERENCE_LIMITS, ...limits };
  let columns: string[] | undefined;
  let rowLimit = maxRows;
  const rows: ReferenceRow[] = [];
  const options: Options = {
    bom: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: maxRowChars,
    // Rows are turned into objects as they come, so only one copy of the sample is held.
    on_record: (record: string[]) => {
      if (columns === undefined) {
        columns = headerOf(record, maxColumns);
        rowLimit = Math.min(maxRows, Math.floor(maxCells / columns.length));
        return null;
      }
      if (rows.length >= rowLimit) {
        throw new ReferenceCsvError(rowLimit < maxRows
          ? `reference CSV: more than ${rowLimit} data rows of ${columns.length} columns (the limit is ${maxCells} cells)`
          : `reference CSV: more than ${maxRows} data rows (the limit)`);
      }
      const row: ReferenceRow = {};
      columns.forEach((name, i) => {
        row[name] = referenceCellValue(record[i]!);
      });
      rows.push(row);
      return null;
    },
  };
  return {
    options,
    table() {
      if (columns === undefined) throw new ReferenceCsvError('reference CSV: no header row');
      return { columns, rows };
    },
  };
}

/** csv-parse's and our own errors as ReferenceCsvError; anything else is rethrown as is. */
function asReferenceError(error: unknown): unknown {
  if (error instanceof ReferenceCsvError) return error;
  if (error instanceof CsvError) return new ReferenceCsvError(`reference CSV: ${csvProblem(error)}`);
  return error;
}

/**
 * Parses a reference CSV (header row, then rows) in one go (the monitor, files, tests).
 * @throws ReferenceCsvError naming the problem and its line: no header, an empty or duplicate
 *   column name, a ragged row, an unterminated or misplaced quote, or a limit passed.
 */
export function parseReferenceCsv(text: string, limits: ReferenceCsvLimits = {}): ReferenceTable {
  const { options, table } = reader(limits);
  try {
    parseSync(text, options);
  } catch (error) {
    throw asReferenceError(error);
  }
  return table();
}

/** Characters fed to the streaming parser between two turns of the event loop. */
const CHUNK_CHARS = 256 * 1024;

/**
 * {@link parseReferenceCsv} for a server: the same reader and result, fed in 256 KiB chunks with a
 * turn of the event loop between them, so a large upload does not stall other requests while it
 * is read (a 16 MiB file takes seconds on a busy machine).
 */
export async function parseReferenceCsvAsync(text: string, limits: ReferenceCsvLimits = {}): Promise<ReferenceTable> {
  const { options, table } = reader(limits);
  const parser = parseStream(options);
  parser.resume(); // records are collected in on_record; nothing is read from the stream
  const done = new Promise<void>((resolve, reject) => {
    parser.once('error', reject);
    parser.once('end', resolve);
  });
  done.catch(() => {}); // awaited below; an early error must not be reported as unhandled first
  try {
    for (let at = 0; at < text.length && !parser.destroyed; at += CHUNK_CHARS) {
      parser.write(text.slice(at, at + CHUNK_CHARS));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    parser.end();
    await done;
  } catch (error) {
    parser.destroy();
    throw asReferenceError(error);
  }
  return table();
}

/**
 * Checks that a parsed reference can serve a model whose inputs are the numeric `features`: at
 * least one data row, a column for every feature (other columns, such as `label`, are kept),
 * and every feature cell a number or missing.
 * @throws ReferenceCsvError naming the first problem (missing columns, or line and column of a bad cell).
 */
export function checkReferenceFeatures(table: ReferenceTable, features: readonly string[]): void {
  if (table.rows.length === 0) throw new ReferenceCsvError('reference CSV: no data rows (a header row and at least one data row are needed)');
  const missing = features.filter((f) => !table.columns.includes(f));
  if (missing.length > 0) {
    throw new ReferenceCsvError(`reference CSV: the header lacks the feature column(s) ${missing.slice(0, 20).map((f) => `"${f}"`).join(', ')} (header: ${table.columns.slice(0, 20).join(', ')})`);
  }
  table.rows.forEach((row, i) => {
    for (const feature of features) {
      const value = row[feature];
      if (typeof value === 'string') {
        throw new ReferenceCsvError(`reference CSV: data row ${i + 1}, column "${feature}": "${value.slice(0, 40)}" is not a decimal number`);
      }
    }
  });
}

/** The header's column names, checked: unique, non-empty, at most `maxColumns`. */
function headerOf(record: readonly string[], maxColumns: number): string[] {
  if (record.length > maxColumns) throw new ReferenceCsvError(`reference CSV: the header has ${record.length} columns, more than ${maxColumns} (the limit)`);
  const seen = new Set<string>();
  record.forEach((name, i) => {
    if (name === '') throw new ReferenceCsvError(`reference CSV: column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new ReferenceCsvError(`reference CSV: duplicate column "${name.slice(0, 64)}" in the header`);
    seen.add(name);
  });
  return [...record];
}

/** csv-parse's error in our words (its messages name the line; the codes below get plainer ones). */
function csvProblem(error: CsvError): string {
  const line = typeof error['lines'] === 'number' ? ` on line ${error['lines']}` : '';
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED': return `unterminated quoted cell (the file ends inside quotes opened${line ? line.replace(' on', '') : ''})`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': return `a row has a different number of cells than the header${line} (${error.message})`;
    case 'CSV_MAX_RECORD_SIZE': return `a row is longer than the limit${line}`;
    default: return error.message;
  }
}
