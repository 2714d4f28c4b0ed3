import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent, PredictionLogBatch, PredictionLogEntry } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import type { ModelVersion } from '@inferq/model-repository';
import { expandLogBatch, type PredictionLog } from '@inferq/predictions';
import { summarizeInput, summarizeOutputs, type Tensor } from '@inferq/tensor';
import type { ItemOutcome } from './batch-execution.js';
import { logBatch, PredictionLogWriter, type LoggedOutcome } from './prediction-log-writer.js';

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

/** A log that records appends (each batch expanded into its entries); `gate` holds them until released. */
function fakeLog() {
  const appended: PredictionLogEntry[][] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  return {
    log: { appendBatch: async (batch: PredictionLogBatch) => { await gate; appended.push(expandLogBatch(batch)); } } as unknown as PredictionLog,
    appended,
    hold() { gate = new Promise((r) => { release = r; }); },
    release: () => release(),
  };
}

describe('PredictionLogWriter', () => {
  it('appends one batch entry summarising each prediction of a batch, in one call, after the batch returns', async () => {
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
    const writer = new PredictionLogWriter({ appendBatch: async () => { throw new Error('READONLY'); } } as unknown as PredictionLog, { sampleRate: 1 }, logger);
    const { items, outcomes, events } = batch(1);
    writer.record(model, items, outcomes, events, 1);
    await writer.flush();
    assert.equal(writer.counters.failedWrites, 1);
  });

  it('a batch entry expands into the entry each prediction had on its own (every input kind, failures, routes, non-finite outputs)', () => {
    const wide = { name: 'wide', labels: ['a', 'b'], featureNames: { table: ['x', 'y'] } } as unknown as ModelVersion;
    const logged: LoggedOutcome[] = [0, 1, 2, 3].map((i) => {
      const rows = i + 1;
      const inputs: Tensor[] = [
        { name: 'table', datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, k) => (k === 3 ? NaN : i * 10 + k / 3)) },
        { name: 'image', datatype: 'FP32', shape: [rows, 1, 2, 2], data: Float32Array.from({ length: rows * 4 }, (_, k) => k * 0.1 + i) },
        { name: 'vector', datatype: 'INT64', shape: [rows, 3], data: BigInt64Array.from({ length: rows * 3 }, (_, k) => BigInt(k - i)) },
        { name: 'text', datatype: 'BYTES', shape: [rows], data: Array.from({ length: rows }, () => 'hi') },
      ] as Tensor[];
      const ok = i !== 2;
      const outcome: ItemOutcome = ok
        ? { ok: true, inferenceMs: 1, batchRows: 10, batchRequests: 4, outputs: [{ name: 'scores', datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, k) => (i === 3 && k === 0 ? Infinity : k + i)) } as Tensor] }
        : { ok: false, error: { code: 'INFERENCE_FAILED', message: 'boom' } } as unknown as ItemOutcome;
      const event: PredictionFinalEvent = {
        id: `p${i}`, model: 'wide', version: '3', status: ok ? 'completed' : 'failed', createdAt: 100 + i,
        timings: i === 1 ? { totalMs: 7 } : { totalMs: 5 + i, queueWaitMs: i, batchSize: 10, batchRequests: 4 },
        worker: { id: 'w1', device: 'cpu' },
        ...(ok ? {} : { error: { code: 'INFERENCE_FAILED', message: 'boom' } }),
        ...(i === 1 ? { route: { reason: 'split' } } : {}),
        ...(i === 3 ? { shadowOf: 'p0' } : {}),
      } as PredictionFinalEvent;
      return { item: { rows, inputs }, outcome, event };
    });
    const expected = logged.map(({ item, outcome, event }) => {
      const entry: PredictionLogEntry = {
        id: event.id, model: event.model, version: event.version, status: event.status === 'completed' ? 'completed' : 'failed',
        createdAt: event.createdAt, finishedAt: 500, sampleRate: 0.5, rows: item.rows, worker: 'w1', device: 'cpu', timings: event.timings,
        inputs: Object.fromEntries(item.inputs.map((t) => [t.name, summarizeInput(t, wide.featureNames[t.name])])),
      };
      if (event.error) entry.errorCode = event.error.code;
      if (event.route) entry.route = event.route;
      if (event.shadowOf) entry.shadowOf = event.shadowOf;
      const outputs = outcome.ok ? summarizeOutputs(outcome.outputs, wide.labels) : undefined;
      if (outputs) entry.outputs = outputs;
      return entry;
    });
    const batch = logBatch(wide, logged, 500, 0.5);
    const expanded = expandLogBatch(JSON.parse(JSON.stringify(batch)) as PredictionLogBatch);
    // Same JSON, key order included: exports are unchanged.
    assert.deepEqual(expanded.map((e) => JSON.stringify(e)), expected.map((e) => JSON.stringify(JSON.parse(JSON.stringify(e)))));
  });
});
