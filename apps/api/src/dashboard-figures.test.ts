import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheCard, DEFAULT_REFRESH_MS, liveRates, MAX_REFRESH_MS, MIN_REFRESH_MS, monitorBanner, refreshInterval, servedCounts, windowProgress } from './dashboard/figures.js';

describe('dashboard figures', () => {
  it('clamps ?refresh= to [1 s, 10 min], keeps 0 (paused), and ignores garbage', () => {
    assert.equal(MIN_REFRESH_MS, 1000);
    assert.deepEqual(refreshInterval('10'), { ms: MIN_REFRESH_MS, clamped: true });
    assert.deepEqual(refreshInterval('999.5'), { ms: MIN_REFRESH_MS, clamped: true });
    assert.deepEqual(refreshInterval('2000'), { ms: 2000, clamped: false });
    assert.deepEqual(refreshInterval('0'), { ms: 0, clamped: false });
    assert.deepEqual(refreshInterval('1e12'), { ms: MAX_REFRESH_MS, clamped: true });
    for (const bad of ['-5', 'abc', 'Infinity']) assert.deepEqual(refreshInterval(bad), { ms: DEFAULT_REFRESH_MS, clamped: true }, bad);
    assert.deepEqual(refreshInterval(null), { ms: DEFAULT_REFRESH_MS, clamped: false });
  });

  it('adds the served counters of one version over the live workers, and turns samples into rates', () => {
    const status = { workers: [
      { models: [{ model: 'iris', version: '1', predictions: 10, failures: 1 }, { model: 'iris', version: '2', predictions: 99, failures: 0 }] },
      { models: [{ model: 'iris', version: '1', predictions: 5, failures: 0 }] },
      {},
    ] };
    assert.deepEqual(servedCounts(status, 'iris', '1'), { predictions: 15, failures: 1 });
    // A drop (a worker restarted) gives no point rather than a negative rate.
    assert.deepEqual(liveRates([{ t: 0, predictions: 0 }, { t: 2000, predictions: 10 }, { t: 3000, predictions: 4 }, { t: 4000, predictions: 6 }]), [{ t: 2000, v: 5 }, { t: 4000, v: 2 }]);
  });

  it('says which window closes next, and when', () => {
    assert.equal(windowProgress({ rows: 12, startedAt: 1, closed: 0 }, { windowSize: 50, windowMs: 0 }), 'first window closes after 50 rows (12 so far)');
    assert.equal(windowProgress({ rows: 0, startedAt: null, closed: 3 }, { windowSize: 0, windowMs: 60_000 }), 'window 4 closes 60 s after its first row');
    assert.match(windowProgress(null, null), /no monitor has run yet/);
  });

  it('raises the monitor banner only when no monitor runs', () => {
    assert.equal(monitorBanner({ state: 'up', downSince: null, lastSeenAt: 1 }), null);
    const down = monitorBanner({ state: 'down', downSince: 10_000, lastSeenAt: 10_000 }, 70_000);
    assert.equal(down?.level, 'bad');
    assert.match(down?.text ?? '', /^Monitor down since .+ \(60 s ago\)/);
    assert.equal(monitorBanner({ state: 'never', downSince: null, lastSeenAt: null })?.level, 'info');
  });

  it('shows a version\'s cache hit ratio, or off', () => {
    assert.equal(cacheCard(null), 'off');
    assert.equal(cacheCard({ hits: 0, misses: 0 }), 'no lookups yet');
    assert.equal(cacheCard({ hits: 3, misses: 1 }), '75.0% · 3/4');
  });
});
