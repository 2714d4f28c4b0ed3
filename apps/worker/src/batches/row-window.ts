/**
 * Bounds the rows one batch job has in its model's micro-batcher at once: enough to fill batches,
 * few enough that an online prediction arriving meanwhile waits behind at most that many rows.
 */
export class RowWindow {
  readonly #size: () => number;
  #inFlight = 0;
  #waiters: Array<() => void> = [];

  /** @param size - rows allowed in flight, read at every admission (it may shrink while online traffic flows). */
  constructor(size: () => number) {
    this.#size = () => Math.max(1, size());
  }

  /** Resolves when a row may enter. */
  acquire(): Promise<void> | undefined {
    if (this.#inFlight < this.#size() && this.#waiters.length === 0) {
      this.#inFlight++;
      return undefined;
    }
    return new Promise((resolve) => this.#waiters.push(() => {
      this.#inFlight++;
      resolve();
    }));
  }

  release(): void {
    this.#inFlight--;
    if (this.#inFlight < this.#size()) this.#waiters.shift()?.();
  }
}
