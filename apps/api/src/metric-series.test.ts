import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { CounterSeries, HistogramSeries } from './metric-series.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same metrics twice: one fed through prom-client's own calls, one through the handles. */
function twins() {
  const make = (registry: Registry) => ({
    counter: new Counter({ name: 'c_total', help: 'c', labelNames: ['model', 'status'] as const, registers: [registry] }),
    histogram: new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['model'] as const, buckets: BUCKETS, registers: [registry] }),
  });
  const plainRegistry = new Registry();
  const fastRegistry = new Registry();
  return { plain: make(plainRegistry), fast: make(fastRegistry), plainRegistry, fastRegistry };
}

describe('metric series handles', () => {
  it('give the same exposition as prom-client’s own inc and observe', async () => {
    const { plain, fast, plainRegistry, fastRegistry } = twins();
    const counter = new CounterSeries(fast.counter);
    const histogram = new HistogramSeries(fast.histogram, BUCKETS);
    const values = [0.0005, 0.001, 0.002, 0.05, 0.5, 1, 3, 0.0001];
    for (const [i, value] of values.entries()) {
      const model = i % 3 === 0 ? 'iris' : 'text';
      const status = i % 2 === 0 ? 'completed' : 'failed';
      plain.counter.inc({ model, status });
      counter.inc(`${model}\u0000${status}`, () => ({ model, status }));
      plain.histogram.observe({ model }, value);
      histogram.observe(model, () => ({ model }), value);
    }
    plain.counter.inc({ model: 'iris', status: 'completed' }, 5);
    counter.inc('iris\u0000completed', () => ({ model: 'iris', status: 'completed' }), 5);
    assert.equal(await fastRegistry.metrics(), await plainRegistry.metrics());
  });

  it('keep counting after the metric is reset', async () => {
    const { plain, fast, plainRegistry, fastRegistry } = twins();
    const counter = new CounterSeries(fast.counter);
    const histogram = new HistogramSeries(fast.histogram, BUCKETS);
    for (let round = 0; round < 2; round++) {
      for (const metrics of [plain, fast]) {
        metrics.counter.reset();
        metrics.histogram.reset();
      }
      for (const value of [0.002, 0.2]) {
        plain.counter.inc({ model: 'iris', status: 'completed' });
        counter.inc('iris\u0000completed', () => ({ model: 'iris', status: 'completed' }));
        plain.histogram.observe({ model: 'iris' }, value);
        histogram.observe('iris', () => ({ model: 'iris' }), value);
      }
      assert.equal(await fastRegistry.metrics(), await plainRegistry.metrics());
    }
  });

  it('still refuse a value prom-client refuses', () => {
    const { fast } = twins();
    const histogram = new HistogramSeries(fast.histogram, BUCKETS);
    histogram.observe('iris', () => ({ model: 'iris' }), 0.1);
    assert.throws(() => histogram.observe('iris', () => ({ model: 'iris' }), Number.NaN), TypeError);
  });
});
