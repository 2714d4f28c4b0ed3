/**
 * Reads a reference sample stored with a model version (`models/<name>/<version>/reference.csv`):
 * RFC 4180 CSV, a header row of column names, then one row per sample.
 *
 * ```csv
 * sepal_length,sepal_width,petal_length,petal_width,label
 * 5.1,3.5,1.4,0.2,0
 * ```
 *
 * Cells that read as a decimal number become numbers; empty cells and the usual missing markers
 * (NA, N/A, NaN, nan, null, NULL — a subset of pandas' defaults) become null; anything else stays
 * a string (trimmed). Quoted cells may hold commas, newlines and doubled quotes; a quoted cell
 * is always a string (or null when empty). A UTF-8 byte order mark and CRLF line ends are accepted.
 */

/** One reference row: column name → value. */
export type ReferenceRow = Record<string, number | string | null>;

/** A parsed reference file. */
export interface ReferenceTable {
  /** Column names in file order. */
  columns: string[];
  /** One object per data row, keyed by column name. */
  rows: ReferenceRow[];
}

const MISSING_MARKERS = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface Cell {
  text: string;
  quoted: boolean;
}

/** Splits CSV text into records of cells, with the 1-based line each record starts on. */
function records(text: string): Array<{ line: number; cells: Cell[] }> {
  const out: Array<{ line: number; cells: Cell[] }> = [];
  let cells: Cell[] = [];
  let cell = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  const endCell = (): void => {
    cells.push({ text: cell, quoted });
    cell = '';
    quoted = false;
  };
  const endRecord = (): void => {
    endCell();
    // A blank line is no record (and a trailing newline leaves no empty last row).
    if (!(cells.length === 1 && cells[0]!.text === '' && !cells[0]!.quoted)) out.push({ line: recordLine, cells });
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      inQuotes = true;
      quoted = true;
      cell = '';
    } else if (c === ',') endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += c;
  }
  if (inQuotes) throw new SyntaxError(`reference CSV: unterminated quoted cell starting on line ${recordLine}`);
  if (cell !== '' || quoted || cells.length > 0) endRecord();
  return out;
}

function cellValue(cell: Cell): number | string | null {
  if (cell.quoted) return cell.text === '' ? null : cell.text;
  const text = cell.text.trim();
  if (MISSING_MARKERS.has(text)) return null;
  return NUMBER.test(text) ? Number(text) : text;
}

/** Parses a reference CSV (header row, then rows); throws SyntaxError naming the line on a malformed file. */
export function parseReferenceCsv(text: string): ReferenceTable {
  const all = records(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const header = all[0];
  if (header === undefined) throw new SyntaxError('reference CSV: no header row');
  const columns = header.cells.map((cell) => cell.text.trim());
  const seen = new Set<string>();
  for (const name of columns) {
    if (name === '') throw new SyntaxError('reference CSV: empty column name in the header');
    if (seen.has(name)) throw new SyntaxError(`reference CSV: duplicate column "${name}"`);
    seen.add(name);
  }
  const rows = all.slice(1).map(({ line, cells }) => {
    if (cells.length !== columns.length) {
      throw new SyntaxError(`reference CSV: line ${line} has ${cells.length} cells, the header has ${columns.length}`);
    }
    const row: ReferenceRow = {};
    columns.forEach((name, i) => {
      row[name] = cellValue(cells[i]!);
    });
    return row;
  });
  return { columns, rows };
}
