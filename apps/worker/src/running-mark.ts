/**
 * `RUNNING_MARK_DELAY_MS` default: a batch that ends sooner never marks its predictions
 * `running`. Short batches (nearly all of them for small models) then cost no Redis write
 * besides their outcome; a slow one still shows `running` (and which worker runs it) while it runs.
 */
export const DEFAULT_RUNNING_MARK_DELAY_MS = 50;

/**
 * The `running` mark of one batch's predictions, sent once the batch has run `delayMs` (0: at
 * once, before it runs), or never when the batch ends first. `settle` is called right before the
 * batch's final write: the mark is then either on its way already (sent earlier on the same
 * connection, so Redis applies it first) or cancelled; the scripts keep final records final
 * either way.
 */
export class RunningMark {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sent: Promise<void> | undefined;

  /** @param send - writes the mark; must not reject (log its failure: the mark is informational). */
  constructor(send: () => Promise<void>, delayMs: number) {
    if (delayMs <= 0) {
      this.#sent = send();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sent = send();
    }, delayMs);
  }

  /** Cancels a mark not sent yet; resolves once a sent one is answered. */
  settle(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.#sent ?? Promise.resolve();
  }
}
