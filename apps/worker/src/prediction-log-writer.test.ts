import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent, PredictionLogEntry } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import type { ModelVersion } from '@inferq/model-repository';
import type { PredictionLog } from '@inferq/predictions';
import type { Tensor } from '@inferq/tensor';
import type { ItemOutcome } from './batch-execution.js';
import { PredictionLogWriter } from './prediction-log-writer.js';

const model = {
  name: 'iris', version: '1', labels: ['setosa', 'versicolor', 'virginica'], featureNames: { features: ['a', 'b', 'c', 'd'] },
} as unknown as ModelVersion;
const logger = createLogger('test', 'silent');

function batch(n: number) {
  const items = Array.from({ length: n }, (_, i) => ({ rows: 1, inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: Float32Array.from([i, 1, 2, 3]) } as Tensor] }));
  const outcomes: ItemOutcome[] = items.map(() => ({
    ok: true, inferenceMs: 1, batchRows: n, batchRequests: n,
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [1, 3], data: Float32Array.from([0.1, 0.7, 0.2]) },
      { name: 'label', datatype: 'INT64', shape: [1], data: BigInt64Array.from([1n]) },
    ],
  }));
  const events: PredictionFinalEvent[] = items.map((_, i) => ({
    id: `p${i}`, model: 'iris', version: '1', status: 'completed', createdAt: 10, timings: { totalMs: 5, batchSize: n }, worker: { id: 'w', device: 'cpu' },
  }));
  return { items, outcomes, events };
}

/** A log that records appends; `gate` holds them until released. */
function fakeLog() {
  const appended: PredictionLogEntry[][] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  return {
    log: { append: async (entries: readonly PredictionLogEntry[]) => { await gate; appended.push([...entries]); } } as unknown as PredictionLog,
    appended,
    hold() { gate = new Promise((r) => { release = r; }); },
    release: () => release(),
  };
}

describe('PredictionLogWriter', () => {
  it('appends one summarised entry per prediction of a batch, in one call, after the batch returns', async () => {
    const fake = fakeLog();
    const writer = new PredictionLogWriter(fake.log, { sampleRate: 1 }, logger);
    const { items, outcomes, events } = batch(3);
    writer.record(model, items, outcomes, events, 99);
    assert.equal(fake.appended.length, 0, 'nothing is written synchronously');
    await writer.flush();
    assert.equal(fake.appended.length, 1);
    const [first] = fake.appended[0]!;
    assert.deepEqual(first, {
      id: 'p0', model: 'iris', version: '1', status: 'completed', createdAt: 10, finishedAt: 99, sampleRate: 1, rows: 1,
      worker: 'w', device: 'cpu', timings: { totalMs: 5, batchSize: 3 },
      inputs: { features: { kind: 'tabular', featureNames: ['a', 'b', 'c', 'd'], rows: [[0, 1, 2, 3]] } },
      outputs: { classes: [1], confidence: [0.7], labels: ['versicolor'] },
    });
    assert.equal(writer.counters.written, 3);
  });

  it('samples at the configured rate (0 = off)', async () => {
    const fake = fakeLog();
    let r = 0;
    const writer = new PredictionLogWriter(fake.log, { sampleRate: 0.5, random: () => ((r += 0.25) % 1) }, logger);
    const { items, outcomes, events } = batch(8);
    writer.record(model, items, outcomes, events, 1);
    await writer.flush();
    assert.equal(fake.appended[0]!.length, 4);
    assert.ok(fake.appended[0]!.every((e) => e.sampleRate === 0.5));
    const off = new PredictionLogWriter(fake.log, { sampleRate: 0 }, logger);
    off.record(model, items, outcomes, events, 1);
    await off.flush();
    assert.equal(fake.appended.length, 1);
  });

  it('drops (and counts) entries while too many writes are in flight, instead of queueing them', async () => {
    const fake = fakeLog();
    fake.hold();
    const writer = new PredictionLogWriter(fake.log, { sampleRate: 1, maxPendingWrites: 2 }, logger);
    for (let i = 0; i < 4; i++) {
      const { items, outcomes, events } = batch(2);
      writer.record(model, items, outcomes, events, 1);
    }
    assert.equal(writer.counters.dropped, 4);
    fake.release();
    await writer.flush();
    assert.equal(fake.appended.length, 2);
    assert.equal(writer.counters.written, 4);
  });

  it('a failed write is counted and logged, never thrown', async () => {
    const writer = new PredictionLogWriter({ append: async () => { throw new Error('READONLY'); } } as unknown as PredictionLog, { sampleRate: 1 }, logger);
    const { items, outcomes, events } = batch(1);
    writer.record(model, items, outcomes, events, 1);
    await writer.flush();
    assert.equal(writer.counters.failedWrites, 1);
  });
});
