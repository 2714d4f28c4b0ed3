import type { Counter, Histogram } from 'prom-client';

/**
 * Hot-path handles on prom-client series. `counter.inc(labels)` and `histogram.observe(labels, v)`
 * validate and hash their labels on every call (~10 µs per prediction over the 7 calls the API
 * makes for each: submitted, routed, finished and four histograms). A handle finds its series once
 * per label set and then adds to it directly, as prom-client's own `inc`/`observe` do; the series
 * stay prom-client's, so scrapes, `reset()` and the text format are unchanged.
 *
 * It relies on prom-client 15's `hashMap` of series (`{ value }` for counters, `{ bucketValues,
 * sum, count }` for histograms); metric-series.test.ts compares the output with prom-client's own
 * calls, so an upgrade that changes it fails there.
 */
interface CounterEntry { value: number }
interface HistogramEntry { labels: Record<string, string>; bucketValues: Record<string, number>; sum: number; count: number }
interface WithSeries<E> { hashMap: Record<string, E> }

/** Handles on the series of one counter, by a caller-built key of their label values. */
export class CounterSeries<L extends string> {
  readonly #counter: Counter<L>;
  readonly #handles = new Map<string, { hash: string; entry: CounterEntry }>();

  constructor(counter: Counter<L>) {
    this.#counter = counter;
  }

  /**
   * Adds `by` to the series of `labels`.
   * @param key - a string naming the label values (e.g. joined with NUL); same key, same labels.
   * @param by - @defaultValue 1
   */
  inc(key: string, labels: () => Record<L, string>, by = 1): void {
    const series = (this.#counter as unknown as WithSeries<CounterEntry>).hashMap;
    const handle = this.#handles.get(key);
    if (handle && series[handle.hash] === handle.entry) {
      handle.entry.value += by;
      return;
    }
    // First use, or the counter was reset: prom-client creates (or finds) the series.
    const { labelHash } = this.#counter.inc(labels(), by) as unknown as { labelHash: string };
    this.#handles.set(key, { hash: labelHash, entry: series[labelHash]! });
  }
}

/** Handles on the series of one histogram, by a caller-built key of their label values. */
export class HistogramSeries<L extends string> {
  readonly #histogram: Histogram<L>;
  readonly #buckets: readonly number[];
  readonly #handles = new Map<string, { hash: string; entry: HistogramEntry }>();

  /** @param buckets - the histogram's upper bounds, ascending (as given to its constructor). */
  constructor(histogram: Histogram<L>, buckets: readonly number[]) {
    this.#histogram = histogram;
    this.#buckets = buckets;
  }

  /**
   * Records `value` in the series of `labels`.
   * @param key - a string naming the label values (e.g. joined with NUL); same key, same labels.
   */
  observe(key: string, labels: () => Record<L, string>, value: number): void {
    const series = (this.#histogram as unknown as WithSeries<HistogramEntry>).hashMap;
    const handle = this.#handles.get(key);
    if (handle && Number.isFinite(value) && series[handle.hash] === handle.entry) {
      const entry = handle.entry;
      const buckets = this.#buckets;
      for (let i = 0; i < buckets.length; i++) {
        if (value <= buckets[i]!) {
          entry.bucketValues[buckets[i]!]! += 1;
          break;
        }
      }
      entry.sum += value;
      entry.count += 1;
      return;
    }
    const wanted = labels();
    this.#histogram.observe(wanted, value); // first use (or after a reset), or a value it rejects
    const found = Object.entries(series).find(([, e]) => sameLabels(e.labels, wanted));
    if (found) this.#handles.set(key, { hash: found[0], entry: found[1] });
  }
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}
