import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '@inferq/monitoring';
import { WindowSampler } from './window-sampler.js';

/** Feeds `perSecond` one-row predictions per second for `seconds`, evenly spaced; returns what each call returned. */
function feed(sampler: WindowSampler, perSecond: number, seconds: number, from = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < perSecond * seconds; i++) out.push(sampler.keep(from + (i * 1_000) / perSecond, 1));
  return out;
}

describe('WindowSampler', () => {
  it('keeps every prediction while the rate stays under the budget', () => {
    const sampler = new WindowSampler(250, { random: mulberry32(1) });
    assert.ok(feed(sampler, 200, 10).every((kept) => kept === 1));
    assert.equal(sampler.rate, 1);
  });

  it('never samples a burst shorter than one interval, however fast', () => {
    const sampler = new WindowSampler(250, { random: mulberry32(2) });
    assert.ok(feed(sampler, 100_000, 0.5).every((kept) => kept === 1));
  });

  it('above the budget keeps a uniform sample of budget / rate, each kept one carrying that probability', () => {
    const sampler = new WindowSampler(250, { random: mulberry32(3) });
    const results = feed(sampler, 5_000, 20);
    const first = results.slice(0, 5_000);
    assert.ok(first.every((kept) => kept === 1), 'the first interval measures before it samples');
    const later = results.slice(5_000);
    const kept = later.filter((p) => p > 0);
    assert.ok(kept.every((p) => Math.abs(p - 0.05) < 1e-3), `probability ${kept[0]}`);
    const perSecond = kept.length / 19;
    assert.ok(Math.abs(perSecond - 250) < 20, `kept ${perSecond.toFixed(1)} per second, budget 250`);
    // Uniform: each tenth of the stream holds about a tenth of the kept ones.
    const tenth = later.length / 10;
    for (let k = 0; k < 10; k++) {
      const n = later.slice(k * tenth, (k + 1) * tenth).filter((p) => p > 0).length;
      assert.ok(Math.abs(n - kept.length / 10) < 80, `part ${k}: ${n} of ${kept.length}`);
    }
  });

  it('counts rows, not predictions, and stops sampling once the load falls', () => {
    const sampler = new WindowSampler(100, { random: mulberry32(4) });
    const rows = (perSecond: number, seconds: number, from: number) => {
      const out: number[] = [];
      for (let i = 0; i < perSecond * seconds; i++) out.push(sampler.keep(from + (i * 1_000) / perSecond, 4));
      return out;
    };
    rows(50, 3, 0); // 200 rows/s in 50 predictions/s
    assert.ok(Math.abs(sampler.rate - 0.5) < 0.02, `rate ${sampler.rate}`);
    assert.ok(rows(10, 3, 3_000).slice(15).every((kept) => kept === 1), '40 rows/s: every prediction again');
    assert.equal(sampler.rate, 1);
  });

  it('refuses a budget that is not positive', () => {
    assert.throws(() => new WindowSampler(0), RangeError);
  });
});
