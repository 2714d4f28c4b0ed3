/** How commands print: JSON for scripts (`--json`), aligned tables for people. */

/** Writes one JSON document (or one line per item for streams) to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * Prints rows as columns padded to their widest cell. Hand-written: fifteen lines, no
 * box drawing needed, so no table library.
 */
export function printTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): void {
  const cells = [headers, ...rows.map((row) => row.map(cell))];
  const widths = headers.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) => row.map((value, c) => (c === row.length - 1 ? value : value.padEnd(widths[c]!))).join('  ').trimEnd();
  process.stdout.write(`${cells.map(line).join('\n')}\n`);
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The first values of a long array, for a readable line. */
export function preview(values: readonly unknown[], max = 8): string {
  const shown = values.slice(0, max).map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));
  return `[${shown.join(', ')}${values.length > max ? `, … (${values.length} values)` : ''}]`;
}

/** Epoch ms as an ISO time. */
export function time(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString();
}

/** A message on stderr (never mixed into --json output). */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
