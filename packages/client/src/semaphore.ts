/** `maxInFlight` backpressure: at most `limit` calls hold a slot; the rest wait in FIFO order. */
import { raceDeadline, type Deadline } from './deadline.js';

export class Semaphore {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Calls holding a slot now. */
  get inFlight(): number {
    return this.#held;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Takes a slot, waiting for one (bounded by the deadline); returns the function that gives it back (once). */
  async acquire(deadline: Deadline): Promise<() => void> {
    if (this.#held < this.#limit) {
      this.#held++;
    } else {
      let granted = false;
      let grant!: () => void;
      const turn = new Promise<void>((resolve) => {
        grant = () => { granted = true; resolve(); };
        this.#waiting.push(grant);
      });
      try {
        await raceDeadline(turn, deadline);
      } catch (error) {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        else if (granted) this.#release(); // granted in the same turn it timed out: hand it on
        throw error;
      }
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the slot passes straight to the next caller
    else this.#held--;
  }
}
