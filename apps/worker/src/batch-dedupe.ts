import type { BatchItem, ItemOutcome } from './batch-execution.js';

/**
 * Single-flight inside a batch for the prediction cache (docs/cache.md): items with the same
 * cache key (identical misses that arrived together, before either could fill the cache) run
 * once, and each copy gets the outcome of its first. Items without a key always run.
 * @param keyOf - an item's cache key; undefined = never shared.
 * @param run - runs the unique items (e.g. runBatchIsolated), one outcome per item, in order.
 */
export async function runDeduplicated<T extends BatchItem>(
  items: readonly T[], keyOf: (item: T) => string | undefined, run: (unique: T[]) => Promise<ItemOutcome[]>,
): Promise<{ outcomes: ItemOutcome[]; shared: number }> {
  const firstOf = new Map<string, number>();
  const source: number[] = [];
  const unique: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const seen = key === undefined ? undefined : firstOf.get(key);
    if (seen !== undefined) {
      source.push(seen);
      continue;
    }
    if (key !== undefined) firstOf.set(key, unique.length);
    source.push(unique.length);
    unique.push(item);
  }
  const outcomes = await run(unique);
  return { outcomes: source.map((i) => outcomes[i]!), shared: items.length - unique.length };
}
