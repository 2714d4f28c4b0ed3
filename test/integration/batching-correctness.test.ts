/**
 * Micro-batching must never change or mix results. Mixed concurrent traffic (a few hundred iris
 * requests of 1–5 rows, ~40 text-orientation images of 1–2 rows) goes through two in-process
 * workers on one real Redis; every result must equal onnxruntime run directly on that request's
 * own input, and some requests must have shared a batch (otherwise nothing was tested).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const IRIS_REQUESTS = 300;
const TEXT_REQUESTS = 40;
const WAIT_MS = 20_000;
/** Batched and single-row runs agree bit for bit on x86 MLAS today; leave room for other kernels. */
const TOLERANCE = 1e-6;

interface Output { name: string; shape: number[]; datatype: string; data: number[] }
interface Timings { batchSize?: number; batchRequests?: number; queueWaitMs?: number; inferenceMs?: number }
interface PredictionBody { id: string; status: string; model: string; result?: { id: string; model_name: string; outputs: Output[] }; timings: Timings; worker?: { id: string } }

/** One request of the mix and what it must come back as. */
interface Case {
  model: 'iris' | 'text-orientation';
  requestId: string;
  inputName: string;
  shape: number[];
  data: number[];
  expected: Readonly<{ [output: string]: number[] }>;
  predictionId?: string;
  record?: PredictionBody;
}

function assertClose(actual: readonly number[], expected: readonly number[], context: string): void {
  assert.equal(actual.length, expected.length, `${context}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a !== e) assert.ok(Math.abs(a - e) <= TOLERANCE, `${context}[${i}]: ${a} vs ${e}`);
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function mapLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

describe('micro-batching keeps every result its own (2 workers, mixed models)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  const cases: Case[] = [];

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 2, env: { COALESCE_MAX_PREDICTIONS: '64' } });

    const random = seededRandom(2024);
    const [iris, text] = await Promise.all([DirectModel.load('iris'), DirectModel.load('text-orientation')]);
    for (let i = 0; i < IRIS_REQUESTS; i++) {
      const rows = 1 + Math.floor(random() * 5);
      const data = irisRows(random, rows);
      cases.push({ model: 'iris', requestId: `iris-${i}`, inputName: 'features', shape: [rows, 4], data, expected: await iris.run('features', data, [rows, 4]) });
    }
    for (let i = 0; i < TEXT_REQUESTS; i++) {
      const rows = 1 + Math.floor(random() * 2);
      // Three decimals keep the JSON small; the reference runs on exactly these values.
      const data = textLineImages(random, rows).map((v) => Math.round(v * 1000) / 1000);
      const shape = [rows, 3, 48, 192];
      cases.push({ model: 'text-orientation', requestId: `text-${i}`, inputName: 'x', shape, data, expected: await text.run('x', data, shape) });
    }
    // Interleave the models so both queues fill at once.
    cases.sort((a, b) => Number(a.requestId.split('-')[1]) - Number(b.requestId.split('-')[1]));
  });
  after(async () => {
    await stack?.close();
    await redis?.dispose();
  });

  it('the inputs are pairwise distinct, so a mixed-up result could not pass', () => {
    for (const model of ['iris', 'text-orientation']) {
      const keys = cases.filter((c) => c.model === model).map((c) => c.data.join(','));
      assert.equal(new Set(keys).size, keys.length, model);
    }
  });

  it('fired concurrently, every request is accepted and completes', async () => {
    await Promise.all(cases.map(async (c) => {
      const response = await stack.app.inject({
        method: 'POST', url: `/v1/models/${c.model}/predictions`,
        payload: { id: c.requestId, inputs: [{ name: c.inputName, shape: c.shape, datatype: 'FP32', data: c.data }] },
      });
      assert.equal(response.statusCode, 202, response.body);
      c.predictionId = response.json().id;
    }));
    // Long-polls share one subscriber connection; a bounded number keeps inject's work small.
    await mapLimit(cases, 64, async (c) => {
      const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${c.predictionId}?wait=${WAIT_MS}` });
      assert.equal(response.statusCode, 200);
      c.record = response.json() as PredictionBody;
      assert.equal(c.record.status, 'completed', `${c.requestId}: ${response.body.slice(0, 300)}`);
    });
  });

  it('every result equals direct inference on its own input', () => {
    for (const c of cases) {
      const record = c.record!;
      assert.ok(record, c.requestId);
      assert.equal(record.model, c.model, c.requestId);
      assert.equal(record.result?.id, c.requestId, 'the result belongs to this request');
      assert.equal(record.result?.model_name, c.model);
      const rows = c.shape[0]!;
      const outputs = record.result!.outputs;
      assert.deepEqual(outputs.map((o) => o.name).sort(), Object.keys(c.expected).sort(), c.requestId);
      for (const output of outputs) {
        const context = `${c.requestId} ${output.name}`;
        assert.equal(output.shape[0], rows, `${context}: one output row per input row`);
        if (output.datatype === 'INT64') assert.deepEqual(output.data, c.expected[output.name], context);
        else assertClose(output.data, c.expected[output.name]!, context);
      }
    }
  });

  it('batches formed: some requests shared a batch, and batch sizes add up', () => {
    for (const model of ['iris', 'text-orientation'] as const) {
      const mine = cases.filter((c) => c.model === model);
      const shared = mine.filter((c) => (c.record!.timings.batchRequests ?? 1) > 1);
      for (const c of mine) {
        const { batchSize, batchRequests } = c.record!.timings;
        assert.ok(batchSize !== undefined && batchRequests !== undefined, c.requestId);
        assert.ok(batchSize >= c.shape[0]!, `${c.requestId}: batch of ${batchSize} rows holds its own ${c.shape[0]}`);
        assert.ok(batchSize <= (model === 'iris' ? 64 : 32), `${c.requestId}: batch of ${batchSize} within maxBatchSize`);
        assert.ok(batchRequests <= batchSize, c.requestId);
      }
      assert.ok(shared.length > 0, `at least one ${model} batch held more than one request`);
      assert.ok(mine.some((c) => c.record!.timings.batchSize! > 5), `at least one ${model} batch was larger than any single request`);
    }
    const workers = new Set(cases.map((c) => c.record!.worker?.id));
    assert.ok([...workers].every((w) => w?.startsWith('w0-') || w?.startsWith('w1-')), [...workers].join());
  });
});
