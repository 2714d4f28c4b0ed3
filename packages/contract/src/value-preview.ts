/**
 * A short rendering of a client-sent value for an error message: JSON where it is JSON (strings
 * quoted), `Infinity` and `NaN` as such (JSON.stringify would say `null`), cut at `maxLength`
 * characters with "…". Safe on hostile input: nesting too deep for JSON.stringify shows as `[…]`
 * or `{…}` instead of overflowing the stack (which would turn a 400 into a 500).
 */
export function previewValue(value: unknown, maxLength = 40): string {
  let shown: string;
  if (typeof value === 'string') {
    shown = JSON.stringify(value.length > maxLength ? value.slice(0, maxLength + 1) : value);
  } else if (value === null || typeof value === 'object') {
    try {
      shown = JSON.stringify(value) ?? String(value);
    } catch {
      shown = Array.isArray(value) ? '[…]' : '{…}';
    }
  } else {
    shown = String(value);
  }
  return shown.length > maxLength ? `${shown.slice(0, maxLength)}…` : shown;
}
