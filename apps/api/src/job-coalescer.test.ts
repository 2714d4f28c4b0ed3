import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionJobData } from '@inferq/contract';
import { HoldExpiredError, JobCoalescer, type JobSink, type PendingJob } from './job-coalescer.js';

const job = (id: string, model = 'm', version = '1'): PredictionJobData => ({ id, model, version, inputs: [], createdAt: 0, origin: 'o' });

function recordingSink(fail = false) {
  const calls: string[][] = [];
  const sink: JobSink = {
    one: async (p) => { calls.push([p.job.id]); if (fail) throw new Error('down'); },
    many: async (ps) => { calls.push(ps.map((p) => p.job.id)); if (fail) throw new Error('down'); },
  };
  return { sink, calls };
}
const pending = (id: string, priority = 2, model?: string): PendingJob => ({ job: job(id, model), priority });

describe('JobCoalescer', () => {
  it('sends a lone prediction as a job of its own', async () => {
    const { sink, calls } = recordingSink();
    await new JobCoalescer(sink, 64).submit(pending('a'));
    assert.deepEqual(calls, [['a']]);
  });
  it('bundles predictions of one turn by model version and priority, capped at maxBundle', async () => {
    const { sink, calls } = recordingSink();
    const coalescer = new JobCoalescer(sink, 3);
    await Promise.all([pending('a'), pending('b'), pending('c'), pending('d'), pending('e', 1), pending('f', 2, 'other')].map((p) => coalescer.submit(p)));
    assert.deepEqual(calls.map((c) => c.join('')).sort(), ['abc', 'd', 'e', 'f']);
  });
  it('with maxBundle 1 never waits and never bundles', async () => {
    const { sink, calls } = recordingSink();
    const coalescer = new JobCoalescer(sink, 1);
    await Promise.all(['a', 'b'].map((id) => coalescer.submit(pending(id))));
    assert.deepEqual(calls, [['a'], ['b']]);
  });
  it('rejects every prediction of a bundle that could not be queued', async () => {
    const { sink } = recordingSink(true);
    const coalescer = new JobCoalescer(sink, 8);
    const results = await Promise.allSettled(['a', 'b'].map((id) => coalescer.submit(pending(id))));
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  });
  it('holds what arrives while its key is being enqueued, and sends it as one bundle once that settles', async () => {
    const calls: string[][] = [];
    const open: Array<() => void> = [];
    const sink: JobSink = {
      one: (p) => { calls.push([p.job.id]); return new Promise<void>((resolve) => open.push(resolve)); },
      many: (ps) => { calls.push(ps.map((p) => p.job.id)); return new Promise<void>((resolve) => open.push(resolve)); },
    };
    const coalescer = new JobCoalescer(sink, 64);
    const first = coalescer.submit(pending('a'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, [['a']]);
    // One per turn, as REST requests arrive: held behind 'a', not sent one by one.
    const later: Array<Promise<void>> = [];
    for (const id of ['b', 'c', 'd']) {
      later.push(coalescer.submit(pending(id)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const other = coalescer.submit(pending('x', 2, 'other')); // another key is not held
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, [['a'], ['x']]);
    open.shift()!();
    await first;
    assert.deepEqual(calls, [['a'], ['x'], ['b', 'c', 'd']]);
    for (const resolve of open.splice(0)) resolve();
    await Promise.all([...later, other]);
  });
  it('does not queue a prediction held past the hold limit (its caller gave up), and queues the rest', async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const sink: JobSink = {
      one: (p) => { calls.push([p.job.id]); return calls.length === 1 ? new Promise<void>((resolve) => { release = resolve; }) : Promise.resolve(); },
      many: async (ps) => { calls.push(ps.map((p) => p.job.id)); },
    };
    const coalescer = new JobCoalescer(sink, 64, 30);
    const first = coalescer.submit(pending('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const stale = coalescer.submit(pending('b'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = coalescer.submit(pending('c'));
    release();
    await first;
    await assert.rejects(stale, HoldExpiredError);
    await fresh;
    assert.deepEqual(calls, [['a'], ['c']]);
  });
});
