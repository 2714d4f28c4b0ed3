/**
 * End to end, as a user runs it: a real redis-server, the API and two worker processes started
 * as child processes, a few hundred mixed requests over REST (long-poll) and WebSocket (push).
 * Every result must equal direct onnxruntime inference on the same input, both workers must have
 * worked, and micro-batches larger than one must have formed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import type { PredictionRecord, WsServerMessage } from '@inferq/contract';
import { useProcessStack } from '../helpers/process-stack.js';
import { DirectModel, irisRows, seededRandom, textLineImages } from '../helpers/models.js';

const IRIS_REST = 200;
const IRIS_WS = 100;
const TEXT_REST = 24;
const TEXT_WS = 16;
const KEY_PREFIX = 'e2e';

interface Case {
  model: 'iris' | 'text-orientation';
  transport: 'rest' | 'ws';
  data: number[];
  shape: number[];
}

function makeCases(): Case[] {
  const random = seededRandom(42);
  const cases: Case[] = [];
  const iris = (transport: Case['transport']) => {
    const rows = 1 + Math.floor(random() * 4);
    cases.push({ model: 'iris', transport, data: irisRows(random, rows), shape: [rows, 4] });
  };
  const text = (transport: Case['transport']) => {
    cases.push({ model: 'text-orientation', transport, data: textLineImages(random, 1), shape: [1, 3, 48, 192] });
  };
  for (let i = 0; i < IRIS_REST; i++) iris('rest');
  for (let i = 0; i < IRIS_WS; i++) iris('ws');
  for (let i = 0; i < TEXT_REST; i++) text('rest');
  for (let i = 0; i < TEXT_WS; i++) text('ws');
  // Interleave deterministically so both models and transports arrive mixed.
  return cases.map((c, i) => ({ c, k: (i * 7919) % cases.length })).sort((a, b) => a.k - b.k).map((x) => x.c);
}

const request = (c: Case) => ({
  inputs: [{ name: c.model === 'iris' ? 'features' : 'x', shape: c.shape, datatype: 'FP32', data: c.data }],
});

describe('e2e: API + 2 worker processes, mixed REST and WebSocket traffic', () => {
  const fx = useProcessStack({ keyPrefix: KEY_PREFIX, workers: 2, start: (stack) => {
    for (const id of ['e2e-w0', 'e2e-w1']) stack.startWorker(id, { LOG_LEVEL: 'debug' });
    stack.startApi({ HOST: '127.0.0.1' });
  } });

  it('returns, for every request, exactly the direct-inference result; both workers batch', async (t) => {
    const { base, workers } = fx.stack;
    const cases = makeCases();
    const [irisModel, textModel] = await Promise.all([DirectModel.load('iris'), DirectModel.load('text-orientation')]);

    const started = performance.now();
    const wsCases = cases.map((c, i) => ({ c, i })).filter(({ c }) => c.transport === 'ws');
    const restCases = cases.map((c, i) => ({ c, i })).filter(({ c }) => c.transport === 'rest');

    const records = new Map<number, PredictionRecord | Extract<WsServerMessage, { type: 'result' }>>();

    const wsDone = new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
      const refToIndex = new Map<string, number>();
      const idToIndex = new Map<string, number>();
      const resultsPerId = new Map<string, number>();
      const timer = setTimeout(() => reject(new Error(`WebSocket: ${records.size} results after 90 s`)), 90_000);
      socket.on('open', () => {
        for (const { c, i } of wsCases) {
          refToIndex.set(`r${i}`, i);
          socket.send(JSON.stringify({ type: 'predict', model: c.model, request: request(c), ref: `r${i}` }));
        }
      });
      let wsResults = 0;
      socket.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as WsServerMessage;
        if (message.type === 'error') return reject(new Error(`WebSocket error: ${JSON.stringify(message)}`));
        if (message.type === 'accepted') {
          idToIndex.set(message.id, refToIndex.get(message.ref!)!);
          return;
        }
        resultsPerId.set(message.id, (resultsPerId.get(message.id) ?? 0) + 1);
        assert.equal(resultsPerId.get(message.id), 1, 'one result message per id');
        assert.ok(idToIndex.has(message.id), 'accepted arrives before its result');
        records.set(idToIndex.get(message.id)!, message);
        if (++wsResults === wsCases.length) {
          clearTimeout(timer);
          socket.close();
          resolve();
        }
      });
      socket.on('error', reject);
    });

    const restDone = Promise.all(restCases.map(async ({ c, i }) => {
      const submitted = await fetch(`${base}/v1/models/${c.model}/predictions`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request(c)),
      });
      assert.equal(submitted.status, 202, await submitted.clone().text());
      const location = submitted.headers.get('location');
      for (let attempt = 0; attempt < 6; attempt++) {
        const polled = await fetch(`${base}${location}?wait=15000`);
        const record = (await polled.json()) as PredictionRecord;
        if (record.status === 'completed' || record.status === 'failed') {
          records.set(i, record);
          return;
        }
      }
      throw new Error(`prediction ${location} did not finish`);
    }));

    await Promise.all([wsDone, restDone]);
    const elapsedS = (performance.now() - started) / 1000;
    assert.equal(records.size, cases.length, 'every request got a result');

    const workerIds = new Set<string>();
    const batchSizes: number[] = [];
    for (const [i, c] of cases.entries()) {
      const record = records.get(i)!;
      assert.equal(record.status, 'completed', `case ${i}: ${JSON.stringify((record as { error?: unknown }).error)}`);
      const result = 'result' in record ? record.result! : undefined;
      assert.ok(result, `case ${i} has a result`);
      const direct = c.model === 'iris'
        ? await irisModel.run('features', c.data, c.shape)
        : await textModel.run('x', c.data, c.shape);
      for (const output of result.outputs) {
        const expected = direct[output.name];
        assert.ok(expected, `case ${i}: unexpected output ${output.name}`);
        assert.equal(output.data.length, expected.length);
        output.data.forEach((v, k) => assert.ok(Math.abs(Number(v) - expected[k]!) <= 1e-6, `case ${i} ${output.name}[${k}]: ${v} vs ${expected[k]}`));
      }
      const timings = record.timings;
      batchSizes.push(timings.batchSize ?? 0);
      if ('worker' in record && record.worker) workerIds.add(record.worker.id);
    }

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const workerLogs = workers.map((w) => w.logs().filter((l) => l.msg === 'batch done'));
    const batchesPerWorker = workerLogs.map((l) => l.length);
    const largestBatch = Math.max(...batchSizes);
    t.diagnostic(`${cases.length} requests (${IRIS_REST + TEXT_REST} REST, ${IRIS_WS + TEXT_WS} WebSocket) in ${elapsedS.toFixed(2)} s = ${(cases.length / elapsedS).toFixed(0)} req/s`);
    t.diagnostic(`batches per worker: ${batchesPerWorker.join(', ')}; largest batch ${largestBatch} rows; mean rows per batch seen by requests ${(batchSizes.reduce((a, b) => a + b, 0) / batchSizes.length).toFixed(1)}`);
    assert.ok(batchesPerWorker.every((n) => n > 0), `both workers ran batches (${batchesPerWorker.join(', ')})`);
    // REST records name the worker that computed them (WebSocket results carry no worker field).
    assert.deepEqual([...workerIds].sort(), ['e2e-w0', 'e2e-w1'], 'REST results came from both workers');
    assert.ok(largestBatch > 1, `micro-batches larger than one formed (largest ${largestBatch})`);
    assert.match(metrics, /inferq_batch_size_count\{model="iris",version="1"\} \d+/);
  });

  it('stops the API and both workers gracefully on SIGTERM (exit code 0)', async () => {
    const { api, workers } = fx.stack;
    const codes = await Promise.all([api.stop(), ...workers.map((w) => w.stop())]);
    assert.deepEqual(codes, [0, 0, 0], api.output().slice(-2000));
    for (const worker of workers) assert.ok(worker.logs().some((l) => l.msg === 'worker stopped'));
  });
});
