/**
 * Counts how every SDK call ended, for the fault tests: each promise is wrapped once and every
 * settlement is recorded, so "settled exactly once" and "no call left hanging" are counted, not
 * assumed, and completed results are checked for repeated prediction ids across calls.
 */
import { InferqClientError, type PredictionResult } from '@inferq/client';

/** The tally of a ledger. */
export interface LedgerCounts {
  started: number;
  settled: number;
  /** Calls that settled more than once (must be 0). */
  settledTwice: number;
  completed: number;
  /** Completed calls whose prediction id another completed call also got (must be 0). */
  repeatedIds: number;
  /** Rejections by error code; " (accepted)" appended when the error names a prediction id. */
  rejected: Record<string, number>;
}

export class SettleLedger {
  readonly #settlements: number[] = [];
  readonly #ids = new Map<string, number>();
  readonly #rejected: Record<string, number> = {};
  /** The first message seen per rejection code, for failure reports. */
  readonly samples: Record<string, string> = {};
  #completed = 0;
  readonly #pending = new Set<Promise<unknown>>();

  /** Tracks one call; the returned promise never rejects. */
  track(call: Promise<PredictionResult>): Promise<PredictionResult | InferqClientError> {
    const index = this.#settlements.push(0) - 1;
    const settled = call.then(
      (result) => {
        this.#settlements[index]!++;
        this.#completed++;
        this.#ids.set(result.id, (this.#ids.get(result.id) ?? 0) + 1);
        return result;
      },
      (error: unknown) => {
        this.#settlements[index]!++;
        // A rejection about an accepted prediction (it has an id) is told apart from a refusal.
        const code = error instanceof InferqClientError ? `${error.code}${error.predictionId ? ' (accepted)' : ''}` : `non-client error: ${String(error)}`;
        this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
        this.samples[code] ??= error instanceof InferqClientError ? `${error.status}: ${error.message}` : String(error);
        return error instanceof InferqClientError ? error : new InferqClientError('INTERNAL_ERROR', String(error));
      },
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return settled;
  }

  /** Resolves once every tracked call has settled. */
  async drained(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  get started(): number {
    return this.#settlements.length;
  }

  get completed(): number {
    return this.#completed;
  }

  counts(): LedgerCounts {
    return {
      started: this.#settlements.length,
      settled: this.#settlements.filter((n) => n > 0).length,
      settledTwice: this.#settlements.filter((n) => n > 1).length,
      completed: this.#completed,
      repeatedIds: [...this.#ids.values()].filter((n) => n > 1).length,
      rejected: { ...this.#rejected },
    };
  }
}
