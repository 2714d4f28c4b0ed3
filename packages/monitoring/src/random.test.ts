import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom, normalSample } from './random.js';
import { summarize, summaryStats } from './summary.js';

describe('createRandom', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(seqA, Array.from({ length: 5 }, () => b.next()));
    assert.notDeepEqual(seqA, Array.from({ length: 5 }, () => c.next()));
    for (const u of seqA) assert.ok(u >= 0 && u < 1);
  });

  it('draws normals with the requested mean and std', () => {
    const stats = summaryStats(summarize(normalSample(createRandom(7), 20_000, 3.76, 1.76)));
    // Standard errors: 1.76/√20000 ≈ 0.012 for the mean, ≈ 0.009 for the std.
    assert.ok(Math.abs(stats.mean! - 3.76) < 0.05, `mean ${stats.mean}`);
    assert.ok(Math.abs(stats.std! - 1.76) < 0.04, `std ${stats.std}`);
  });

  it('draws integers in range', () => {
    const random = createRandom(1);
    const seen = new Set(Array.from({ length: 200 }, () => random.int(4)));
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  });
});
