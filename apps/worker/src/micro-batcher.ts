import { BatchCostModel } from './batch-cost-model.js';
import { decideBatch, type BatchPolicy } from './batch-policy.js';
import { realScheduler, type Scheduler } from './scheduler.js';

export type { BatchPolicy } from './batch-policy.js';

/** Options of a {@link MicroBatcher}. */
export interface MicroBatcherOptions<T, R> {
  policy: () => BatchPolicy;
  /** Runs one batch; must resolve to one result per item, in order, or reject for all. */
  runBatch: (items: T[]) => Promise<R[]>;
  /** Rows an item adds to a batch. @defaultValue 1 */
  sizeOf?: (item: T) => number;
  /** Items with different keys never share a batch (e.g. different non-batch dims). @defaultValue one group */
  keyOf?: (item: T) => string;
  /** Batches run at the same time. @defaultValue 1 */
  maxConcurrentBatches?: number;
  scheduler?: Scheduler;
}

interface Pending<T, R> {
  item: T;
  rows: number;
  enqueuedAt: number;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Group<T, R> {
  key: string;
  items: Array<Pending<T, R>>;
  rows: number;
}

/**
 * Collects items and hands them to `runBatch` in batches, Triton-style:
 * - a batch is cut when a runner slot is free and either the oldest group holds `maxBatchSize`
 *   rows or its oldest item has waited `maxQueueDelayMs`;
 * - with delay 0 a free runner takes whatever is already waiting, so a lone item runs at once
 *   and batches grow by themselves while the previous batch computes.
 */
export class MicroBatcher<T, R> {
  readonly #options: Required<Omit<MicroBatcherOptions<T, R>, 'scheduler'>>;
  readonly #scheduler: Scheduler;
  readonly #groups = new Map<string, Group<T, R>>();
  readonly #inFlight = new Set<Promise<void>>();
  #timer: unknown;
  readonly #costModel = new BatchCostModel();
  /** Exponentially weighted mean time between arriving rows (adaptive batching's arrival rate). */
  #arrivalIntervalMs: number | undefined;
  #lastArrival: number | undefined;
  #pumpDeferred = false;
  #draining = false;

  constructor(options: MicroBatcherOptions<T, R>) {
    this.#options = {
      sizeOf: () => 1,
      keyOf: () => '',
      maxConcurrentBatches: 1,
      ...options,
    };
    this.#scheduler = options.scheduler ?? realScheduler;
  }

  /** Queues an item; resolves with its result once its batch has run. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const key = this.#options.keyOf(item);
      let group = this.#groups.get(key);
      if (!group) this.#groups.set(key, (group = { key, items: [], rows: 0 }));
      const rows = Math.max(1, this.#options.sizeOf(item));
      const now = this.#scheduler.now();
      this.#observeArrival(now, rows);
      group.items.push({ item, rows, enqueuedAt: now, resolve, reject });
      group.rows += rows;
      this.#schedulePump();
    });
  }

  /** The learned batch cost line (adaptive batching), once enough batches have run. */
  get costEstimate(): { perRowMs: number; fixedMs: number } | undefined {
    return this.#costModel.estimate();
  }

  #observeArrival(now: number, rows: number): void {
    if (this.#lastArrival !== undefined) {
      const interval = (now - this.#lastArrival) / rows;
      // Weight 0.2: follows a change in load within ~10 arrivals, smooths single bursts.
      this.#arrivalIntervalMs = this.#arrivalIntervalMs === undefined ? interval : 0.8 * this.#arrivalIntervalMs + 0.2 * interval;
    }
    this.#lastArrival = now;
  }

  /** Items waiting for a batch. */
  get pendingCount(): number {
    let count = 0;
    for (const group of this.#groups.values()) count += group.items.length;
    return count;
  }

  /** Batches running now. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Runs everything waiting without further delay and resolves when no batch is left running. */
  async drain(): Promise<void> {
    this.#draining = true;
    try {
      this.#pump();
      while (this.#inFlight.size > 0 || this.pendingCount > 0) {
        await Promise.race(this.#inFlight);
        this.#pump();
      }
    } finally {
      this.#draining = false;
    }
  }

  #schedulePump(): void {
    if (this.#pumpDeferred) return;
    this.#pumpDeferred = true;
    this.#scheduler.defer(() => {
      this.#pumpDeferred = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#timer !== undefined) {
      this.#scheduler.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    while (this.#inFlight.size < this.#options.maxConcurrentBatches) {
      const group = this.#oldestGroup();
      if (!group) return;
      const cost = this.#costModel.estimate();
      const decision = decideBatch(this.#options.policy(), {
        pendingRows: group.rows,
        waitedMs: this.#scheduler.now() - group.items[0]!.enqueuedAt,
        draining: this.#draining,
        ...(cost ? { fixedCostMs: cost.fixedMs } : {}),
        ...(this.#arrivalIntervalMs !== undefined ? { arrivalIntervalMs: this.#arrivalIntervalMs } : {}),
      });
      if (!decision.run) {
        this.#timer = this.#scheduler.setTimer(() => {
          this.#timer = undefined;
          this.#pump();
        }, decision.waitMs);
        return;
      }
      this.#launch(this.#take(group, decision.rows));
    }
  }

  #oldestGroup(): Group<T, R> | undefined {
    let oldest: Group<T, R> | undefined;
    for (const group of this.#groups.values()) {
      if (!oldest || group.items[0]!.enqueuedAt < oldest.items[0]!.enqueuedAt) oldest = group;
    }
    return oldest;
  }

  /** Takes items from the front of `group` up to `maxRows` rows (always at least one item). */
  #take(group: Group<T, R>, maxRows: number): Array<Pending<T, R>> {
    let rows = 0;
    let count = 0;
    for (const pending of group.items) {
      if (count > 0 && rows + pending.rows > maxRows) break;
      rows += pending.rows;
      count++;
    }
    const batch = group.items.splice(0, count);
    group.rows -= rows;
    if (group.items.length === 0) this.#groups.delete(group.key);
    return batch;
  }

  #launch(batch: Array<Pending<T, R>>): void {
    const run = (async () => {
      try {
        const started = this.#scheduler.now();
        const results = await this.#options.runBatch(batch.map((p) => p.item));
        this.#costModel.observe(batch.reduce((n, p) => n + p.rows, 0), this.#scheduler.now() - started);
        if (results.length !== batch.length) throw new Error(`runBatch returned ${results.length} results for ${batch.length} items`);
        batch.forEach((pending, i) => pending.resolve(results[i]!));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    })();
    this.#inFlight.add(run);
    void run.finally(() => {
      this.#inFlight.delete(run);
      this.#pump();
    });
  }
}
