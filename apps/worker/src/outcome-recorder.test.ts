import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { OutcomeRecorder, type OutcomeStore } from './outcome-recorder.js';

const logger = createLogger('test', 'silent');
const identity = () => ({ id: 'w', device: 'cpu' });
const event = (id: string): PredictionFinalEvent => ({ id, model: 'm', version: '1', createdAt: 0, status: 'completed', timings: {} });

/** A store that refuses the first `refusals` writes with Redis's OOM error, then takes them. */
function refusingStore(refusals: number) {
  const written: string[][] = [];
  let calls = 0;
  const store: OutcomeStore = {
    async finish(events) {
      calls++;
      if (calls <= refusals) throw new Error("OOM command not allowed when used memory > 'maxmemory'.");
      written.push(events.map((e) => e.id));
      return events.length;
    },
  };
  return { store, written, calls: () => calls };
}

describe('OutcomeRecorder', () => {
  it('writes a batch in one store call', async () => {
    const { store, written } = refusingStore(0);
    await new OutcomeRecorder(store, identity, logger).record([event('a'), event('b')]);
    assert.deepEqual(written, [['a', 'b']]);
  });

  it('keeps an outcome Redis refuses and writes it once Redis takes it, never dropping it', async () => {
    const { store, written, calls } = refusingStore(5);
    const recorder = new OutcomeRecorder(store, identity, logger, { initialDelayMs: 1, maxDelayMs: 4 });
    await recorder.record([event('a')]);
    assert.equal(calls(), 6);
    assert.deepEqual(written, [['a']]);
    assert.deepEqual(recorder.counters, { refusedWrites: 5, recoveredWrites: 1 });
  });

  it('on close, tries once more and then gives the outcome back as a transient error (the job runs again)', async () => {
    const { store, calls } = refusingStore(Infinity);
    const recorder = new OutcomeRecorder(store, identity, logger, { initialDelayMs: 60_000, maxDelayMs: 60_000 });
    const recording = recorder.record([event('a')]);
    // The first refusal puts it in a 60 s wait; close wakes it for its last attempt.
    await new Promise<void>((resolve) => setImmediate(resolve));
    recorder.close();
    await assert.rejects(recording, (error: Error) => error.name !== 'UnrecoverableError' && /worker closing: outcome of 1 prediction\(s\) not recorded/.test(error.message));
    assert.equal(calls(), 2);
  });

  it('builds an expired record for DEADLINE_EXCEEDED and a failed one otherwise', () => {
    const recorder = new OutcomeRecorder(refusingStore(0).store, identity, logger);
    const job = { id: 'x', model: 'm', version: '1', createdAt: 0, origin: 'o', inputs: [] };
    assert.equal(recorder.failedEvent(job, { code: 'DEADLINE_EXCEEDED', message: 'late' }).status, 'expired');
    const failed = recorder.failedEvent(job, { code: 'INVALID_REQUEST', message: 'bad' }, {});
    assert.deepEqual([failed.status, failed.error, failed.worker, failed.origin], ['failed', { code: 'INVALID_REQUEST', message: 'bad' }, identity(), 'o']);
  });
});
