import { InferqError } from '@inferq/contract';

/** Most data rows an uploaded reference may hold. */
export const MAX_REFERENCE_ROWS = 1_000_000;

/**
 * Checks an uploaded reference sample before it is stored: CSV with a header row that names every
 * feature of the model (other columns, such as `label`, are kept), and at least one data row whose
 * feature cells are numbers or empty (missing). Throws INVALID_REFERENCE naming the problem.
 */
export function checkReferenceCsv(csv: string, features: readonly string[]): { rows: number; columns: string[] } {
  const lines = csv.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length < 2) throw new InferqError('INVALID_REFERENCE', 'the reference needs a header row and at least one data row');
  const columns = splitCsvLine(lines[0]!.replace(/^\uFEFF/, ''));
  const missing = features.filter((f) => !columns.includes(f));
  if (missing.length > 0) {
    throw new InferqError('INVALID_REFERENCE', `the header lacks the feature column(s) ${missing.map((f) => `"${f}"`).join(', ')} (header: ${columns.slice(0, 20).join(', ')})`);
  }
  if (lines.length - 1 > MAX_REFERENCE_ROWS) throw new InferqError('INVALID_REFERENCE', `the reference has more than ${MAX_REFERENCE_ROWS} rows`);
  const featureColumns = features.map((f) => columns.indexOf(f));
  for (let i = 1; i < lines.length; i++) {
    const cells = splitCsvLine(lines[i]!);
    if (cells.length !== columns.length) throw new InferqError('INVALID_REFERENCE', `line ${i + 1} has ${cells.length} cells, the header ${columns.length}`);
    for (const c of featureColumns) {
      const cell = cells[c]!.trim();
      if (cell !== '' && !Number.isFinite(Number(cell)) && !/^(nan|NaN|NA|null)$/.test(cell)) {
        throw new InferqError('INVALID_REFERENCE', `line ${i + 1}, column "${columns[c]}": "${cell.slice(0, 40)}" is not a number`);
      }
    }
  }
  return { rows: lines.length - 1, columns };
}

/** Cells of one CSV line (RFC 4180 quotes; no line breaks inside quotes). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { cells.push(cell); cell = ''; } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}
