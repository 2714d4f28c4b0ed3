import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionJobData } from '@inferq/contract';
import { JobCoalescer, type JobSink, type PendingJob } from './job-coalescer.js';

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
  it('holds what arrives while a bundle is being written and sends it as the next bundle', async () => {
    const calls: string[][] = [];
    const gates: Array<() => void> = [];
    const gated = async (ids: string[]) => { calls.push(ids); await new Promise<void>((resolve) => gates.push(resolve)); };
    const coalescer = new JobCoalescer({ one: (p) => gated([p.job.id]), many: (ps) => gated(ps.map((p) => p.job.id)) }, 8);
    const first = coalescer.submit(pending('a'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, [['a']], 'a lone prediction goes at the end of its turn');
    const later = ['b', 'c'].map((id) => coalescer.submit(pending(id)));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, [['a']], 'held while "a" is in flight');
    gates.shift()!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, [['a'], ['b', 'c']]);
    gates.shift()!();
    await Promise.all(later);
  });
  it('sends a full group at once even while a bundle is in flight', async () => {
    const calls: string[][] = [];
    const gates: Array<() => void> = [];
    const gated = async (ids: string[]) => { calls.push(ids); await new Promise<void>((resolve) => gates.push(resolve)); };
    const coalescer = new JobCoalescer({ one: (p) => gated([p.job.id]), many: (ps) => gated(ps.map((p) => p.job.id)) }, 2);
    const all = [coalescer.submit(pending('a'))];
    await new Promise((resolve) => setImmediate(resolve));
    all.push(coalescer.submit(pending('b')), coalescer.submit(pending('c')));
    assert.deepEqual(calls, [['a'], ['b', 'c']]);
    for (const open of gates.splice(0)) open();
    await Promise.all(all);
  });
  it('sends the held bundle after the one in flight failed', async () => {
    const calls: string[][] = [];
    let failNext = true;
    const gates: Array<() => void> = [];
    const sinkCall = async (ids: string[]) => {
      calls.push(ids);
      const fail = failNext;
      failNext = false;
      await new Promise<void>((resolve) => gates.push(resolve));
      if (fail) throw new Error('down');
    };
    const coalescer = new JobCoalescer({ one: (p) => sinkCall([p.job.id]), many: (ps) => sinkCall(ps.map((p) => p.job.id)) }, 8);
    const first = coalescer.submit(pending('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const second = coalescer.submit(pending('b'));
    gates.shift()!();
    await assert.rejects(first, /down/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, [['a'], ['b']]);
    gates.shift()!();
    await second;
  });
});
