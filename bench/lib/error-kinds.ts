/**
 * Counts a load run's failed requests by kind, so a run says what its errors were (an HTTP
 * status and error code, a push error code, a socket error, a request never answered) instead
 * of one number.
 */
export class ErrorKinds {
  readonly #counts = new Map<string, number>();

  /** Counts one failure of `kind` (see `errorKind`). */
  add(kind: string, n = 1): void {
    if (n > 0) this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + n);
  }

  /** Kind → count, most frequent first. */
  toObject(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort((a, b) => b[1] - a[1]));
  }
}

/**
 * The kind of a thrown failure: a Node system error's code (ECONNRESET...), else the message's
 * first line cut at 120 characters (the senders throw short messages: "HTTP 503 QUEUE_FULL",
 * "push: PREDICTION_NOT_FOUND", "push socket closed (1006)").
 */
export function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 120);
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return `${code} (${error.message.split('\n')[0]!.slice(0, 80)})`;
  return error.message.split('\n')[0]!.slice(0, 120);
}

/** `{a: 2, b: 1}` → "a ×2, b ×1"; "none" when empty. */
export function formatErrorKinds(kinds: Readonly<Record<string, number>>): string {
  const entries = Object.entries(kinds);
  return entries.length === 0 ? 'none' : entries.map(([kind, n]) => `${kind} ×${n}`).join(', ');
}
