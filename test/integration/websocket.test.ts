/**
 * `GET /v1/ws` against a real Redis, BullMQ and onnxruntime, through `app.injectWS`: predict →
 * accepted → pushed result equal to direct inference, subscribe to REST ids (pending or already
 * finished), exactly one result per id, and every kind of bad message answered with an error
 * while the socket stays open and keeps working.
 *
 * The stack starts without a worker so a subscription can be shown to wait for its result; the
 * first test starts one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { newPredictionId, type WsServerMessage } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const TIMEOUT_MS = 10_000;

type Result = Extract<WsServerMessage, { type: 'result' }>;
type ErrorMessage = Extract<WsServerMessage, { type: 'error' }>;
type Accepted = Extract<WsServerMessage, { type: 'accepted' }>;
type Completed = Extract<Result, { status: 'completed' }>;

/** Every message a client socket received, in order, with a way to wait for the next matching one. */
class Inbox {
  readonly messages: WsServerMessage[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false, 'the server sends text frames');
      this.messages.push(JSON.parse(data.toString('utf8')) as WsServerMessage);
      for (const wake of this.#waiters) wake();
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message at index ≥ `from` that matches; waits for it up to `timeoutMs`. */
  async next<M extends WsServerMessage>(predicate: (m: WsServerMessage) => boolean, from = 0, timeoutMs = TIMEOUT_MS): Promise<M> {
    const find = () => this.messages.slice(from).find(predicate) as M | undefined;
    const found = find();
    if (found) return found;
    return new Promise<M>((resolve, reject) => {
      const wake = () => {
        const match = find();
        if (!match) return;
        cleanup();
        resolve(match);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching message within ${timeoutMs} ms; received ${JSON.stringify(this.messages.slice(from)).slice(0, 500)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      this.#waiters.add(wake);
    });
  }

  /** The next error message after index `from`. */
  nextError(from: number): Promise<ErrorMessage> {
    return this.next<ErrorMessage>((m) => m.type === 'error', from);
  }

  results(id?: string): Result[] {
    return this.messages.filter((m): m is Result => m.type === 'result' && (id === undefined || m.id === id));
  }
}

const irisRequest = (data: number[], extra: Record<string, unknown> = {}) => ({
  inputs: [{ name: 'features', shape: [data.length / 4, 4], datatype: 'FP32', data }], ...extra,
});

const isResultFor = (id: string) => (m: WsServerMessage) => m.type === 'result' && m.id === id;

describe('WebSocket /v1/ws (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let worker: WorkerApp | undefined;
  let iris: DirectModel;
  const sockets: WebSocket[] = [];

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 0 });
    iris = await DirectModel.load('iris');
  });
  after(async () => {
    for (const socket of sockets) socket.terminate();
    await worker?.close();
    await stack?.close();
    await redis?.dispose();
  });

  const open = async (): Promise<Inbox> => {
    const socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    sockets.push(socket);
    return new Inbox(socket);
  };
  const submitRest = async (data: number[]): Promise<string> => {
    const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: irisRequest(data) });
    assert.equal(response.statusCode, 202, response.body);
    return response.json().id as string;
  };
  /** Checks a pushed result against direct inference on `data`; returns it narrowed to completed. */
  const assertMatchesDirect = async (result: Result, data: number[]): Promise<Completed> => {
    assert.ok(result.status === 'completed', JSON.stringify(result));
    const rows = data.length / 4;
    const direct = await iris.run('features', data, [rows, 4]);
    assert.deepEqual(result.result.outputs, [
      { name: 'probabilities', datatype: 'FP32', shape: [rows, 3], data: direct.probabilities },
      { name: 'label', datatype: 'INT64', shape: [rows], data: direct.label },
    ]);
    assert.equal(typeof result.timings.inferenceMs, 'number');
    // Spliced from the worker's event text (ws-result-text.ts): nothing internal goes along.
    for (const key of ['origin', 'owner', 'shadowOf', 'shadow']) assert.ok(!(key in result), `${key} pushed`);
    assert.equal(result.version, '1');
    return result;
  };

  it('subscribing to a queued REST prediction pushes its result once a worker computes it', async () => {
    const inbox = await open();
    const data = irisRows(seededRandom(31), 2);
    const id = await submitRest(data);
    inbox.send({ type: 'subscribe', ids: [id] });
    // A second subscription to an unknown id answers in the first one's Redis read or in one
    // queued behind it: once its error is here, the first has been looked up.
    const unknown = newPredictionId();
    inbox.send({ type: 'subscribe', ids: [unknown], ref: 'probe' });
    const probe = await inbox.next<ErrorMessage>((m) => m.type === 'error' && m.ref === 'probe');
    assert.deepEqual({ code: probe.error.code, id: probe.id }, { code: 'PREDICTION_NOT_FOUND', id: unknown });
    assert.equal(inbox.results().length, 0, 'nothing pushed while the prediction is queued');

    worker = await startWorkerApp(loadWorkerConfig({
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: `ws-${stack.keyPrefix}`,
    }), createLogger('test', 'silent'));
    const result = await assertMatchesDirect(await inbox.next<Result>(isResultFor(id)), data);
    assert.equal(result.result.id, id);
  });

  it('predict → accepted (ref echoed) → result pushed, equal to direct inference', async () => {
    const inbox = await open();
    const data = irisRows(seededRandom(32), 3);
    inbox.send({ type: 'predict', model: 'iris', request: irisRequest(data, { id: 'mine' }), ref: 'r-1' });
    const accepted = await inbox.next<Accepted>((m) => m.type === 'accepted' && m.ref === 'r-1');
    assert.deepEqual({ ...accepted, id: undefined }, { type: 'accepted', id: undefined, ref: 'r-1', model: 'iris', version: '1' });
    assert.match(accepted.id, /^[A-Za-z0-9_-]{22}$/);
    const result = await assertMatchesDirect(await inbox.next<Result>(isResultFor(accepted.id)), data);
    assert.equal(result.result.id, 'mine', 'the request id is echoed in the result');
    assert.ok(inbox.messages.indexOf(accepted) < inbox.messages.indexOf(result), 'accepted goes out before the result');

    // The same prediction is readable over REST.
    const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${accepted.id}` })).json();
    assert.equal(record.status, 'completed');
    assert.deepEqual(record.result, result.result);
  });

  it('predict on a pinned version, without a ref', async () => {
    const inbox = await open();
    const data = irisRows(seededRandom(33), 1);
    inbox.send({ type: 'predict', model: 'iris', version: '1', request: irisRequest(data) });
    const accepted = await inbox.next<Accepted>((m) => m.type === 'accepted');
    assert.equal(accepted.ref, undefined);
    assert.equal(accepted.version, '1');
    await assertMatchesDirect(await inbox.next<Result>(isResultFor(accepted.id)), data);
  });

  it('subscribing to an already finished prediction delivers it at once', async () => {
    const data = irisRows(seededRandom(34), 1);
    const id = await submitRest(data);
    const done = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${TIMEOUT_MS}` });
    assert.equal(done.json().status, 'completed');

    const inbox = await open();
    inbox.send({ type: 'subscribe', ids: [id] });
    const result = await inbox.next<Result>(isResultFor(id));
    await assertMatchesDirect(result, data);
    assert.deepEqual(result.timings, done.json().timings);
  });

  it('sends exactly one result per id, however often it is subscribed to', async () => {
    const inbox = await open();
    const inputs = Array.from({ length: 12 }, (_, i) => irisRows(seededRandom(100 + i), 1 + (i % 3)));
    inputs.forEach((data, i) => inbox.send({ type: 'predict', model: 'iris', request: irisRequest(data), ref: `p${i}` }));
    const accepted = await Promise.all(inputs.map((_, i) => inbox.next<Accepted>((m) => m.type === 'accepted' && m.ref === `p${i}`)));
    const ids = accepted.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length);
    // Subscribe again while some are pending and some are done, with duplicates in one message.
    inbox.send({ type: 'subscribe', ids: [...ids, ...ids] });
    const results = await Promise.all(ids.map((id) => inbox.next<Result>(isResultFor(id))));
    for (const [i, result] of results.entries()) await assertMatchesDirect(result, inputs[i]!);
    inbox.send({ type: 'subscribe', ids });
    // Messages are handled in order; a subscribe of delivered ids answers synchronously, so by the
    // time this probe's error is back any duplicate would have been sent.
    const from = inbox.messages.length;
    inbox.send({ type: 'nonsense', ref: 'probe-1' });
    await inbox.next((m) => m.type === 'error' && m.ref === 'probe-1', from);
    for (const id of ids) assert.equal(inbox.results(id).length, 1, `one result for ${id}`);

    // A second socket subscribing to the same finished ids gets each one once too.
    const other = await open();
    other.send({ type: 'subscribe', ids: [ids[0], ids[0], ...ids] });
    await Promise.all(ids.map((id) => other.next(isResultFor(id))));
    other.send({ type: 'subscribe', ids: [newPredictionId()], ref: 'probe-2' });
    await other.next((m) => m.type === 'error' && m.ref === 'probe-2');
    for (const id of ids) assert.equal(other.results(id).length, 1, `one result for ${id} on the second socket`);
    assert.equal(other.results().length, ids.length);
  });

  it('answers each of many subscribes sent back to back under its own ref (they share lookups)', async () => {
    const inbox = await open();
    const data = irisRows(seededRandom(77), 1);
    const known = await submitRest(data);
    const unknown = Array.from({ length: 40 }, newPredictionId);
    unknown.forEach((id, i) => inbox.send({ type: 'subscribe', ids: i % 2 === 0 ? [id, known] : [id], ref: `s${i}` }));
    const errors = await Promise.all(unknown.map((_, i) => inbox.next<ErrorMessage>((m) => m.type === 'error' && m.ref === `s${i}`)));
    errors.forEach((error, i) => assert.deepEqual({ code: error.error.code, id: error.id }, { code: 'PREDICTION_NOT_FOUND', id: unknown[i] }));
    await assertMatchesDirect(await inbox.next<Result>(isResultFor(known)), data);
    const from = inbox.messages.length;
    inbox.send({ type: 'subscribe', ids: [newPredictionId()], ref: 'probe' });
    await inbox.next((m) => m.type === 'error' && m.ref === 'probe', from);
    assert.equal(inbox.results(known).length, 1, 'one result, however many subscribes named it');
    assert.equal(inbox.messages.filter((m) => m.type === 'error').length, unknown.length + 1, 'one error per unknown id');
  });

  it('answers every bad message with an error and stays open and working', async () => {
    const inbox = await open();
    const unknownId = newPredictionId();
    const expectations: Array<{ send: () => void; code: string; ref?: string; id?: string; mentions: RegExp }> = [
      { send: () => inbox.socket.send(Buffer.from('{"type":"subscribe","ids":[]}'), { binary: true }), code: 'INVALID_MESSAGE', mentions: /binary/ },
      { send: () => inbox.send('{"type": "predict",'), code: 'INVALID_MESSAGE', mentions: /JSON/ },
      { send: () => inbox.send('not json at all'), code: 'INVALID_MESSAGE', mentions: /JSON/ },
      { send: () => inbox.send('[1, 2]'), code: 'INVALID_MESSAGE', mentions: /object/ },
      { send: () => inbox.send('null'), code: 'INVALID_MESSAGE', mentions: /object/ },
      { send: () => inbox.send('"predict"'), code: 'INVALID_MESSAGE', mentions: /object/ },
      { send: () => inbox.send({ ref: 'a' }), code: 'INVALID_MESSAGE', ref: 'a', mentions: /type/ },
      { send: () => inbox.send({ type: 'unsubscribe', ref: 'b' }), code: 'INVALID_MESSAGE', ref: 'b', mentions: /"unsubscribe"/ },
      { send: () => inbox.send({ type: 'subscribe', ids: 'abc', ref: 'c' }), code: 'INVALID_MESSAGE', ref: 'c', mentions: /"ids"/ },
      { send: () => inbox.send({ type: 'subscribe', ids: [42], ref: 'd' }), code: 'INVALID_MESSAGE', ref: 'd', mentions: /"ids"/ },
      { send: () => inbox.send({ type: 'subscribe', ids: Array.from({ length: 1_001 }, newPredictionId), ref: 'e' }), code: 'TOO_MANY_IDS', ref: 'e', mentions: /1000/ },
      { send: () => inbox.send({ type: 'subscribe', ids: ['../etc/passwd'], ref: 'f' }), code: 'INVALID_PREDICTION_ID', ref: 'f', id: '../etc/passwd', mentions: /not a prediction id/ },
      { send: () => inbox.send({ type: 'subscribe', ids: [unknownId], ref: 'g' }), code: 'PREDICTION_NOT_FOUND', ref: 'g', id: unknownId, mentions: new RegExp(unknownId) },
      { send: () => inbox.send({ type: 'predict', request: irisRequest([1, 2, 3, 4]), ref: 'h' }), code: 'INVALID_MESSAGE', ref: 'h', mentions: /"model"/ },
      { send: () => inbox.send({ type: 'predict', model: 'iris', version: 1, request: irisRequest([1, 2, 3, 4]), ref: 'i' }), code: 'INVALID_MESSAGE', ref: 'i', mentions: /"version"/ },
      { send: () => inbox.send({ type: 'predict', model: 'tulip', request: irisRequest([1, 2, 3, 4]), ref: 'j' }), code: 'MODEL_NOT_FOUND', ref: 'j', mentions: /"tulip"/ },
      { send: () => inbox.send({ type: 'predict', model: 'iris', version: '3', request: irisRequest([1, 2, 3, 4]), ref: 'k' }), code: 'VERSION_NOT_FOUND', ref: 'k', mentions: /"3"/ },
      { send: () => inbox.send({ type: 'predict', model: 'iris', ref: 'l' }), code: 'INVALID_REQUEST', ref: 'l', mentions: /object/ },
      { send: () => inbox.send({ type: 'predict', model: 'iris', request: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP16', data: [1, 2, 3, 4] }] }, ref: 'm' }), code: 'DATATYPE_MISMATCH', ref: 'm', mentions: /"features"/ },
      { send: () => inbox.send({ type: 'predict', model: 'iris', request: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: ['x', 2, 3, 4] }] }, ref: 'n' }), code: 'INVALID_TENSOR_DATA', ref: 'n', mentions: /"features".*data\[0\]/ },
      { send: () => inbox.send({ type: 'predict', model: 'iris', request: irisRequest(irisRows(seededRandom(5), 65)), ref: 'o' }), code: 'BATCH_TOO_LARGE', ref: 'o', mentions: /64/ },
    ];
    for (const [index, expected] of expectations.entries()) {
      const from = inbox.messages.length;
      expected.send();
      const error = await inbox.nextError(from);
      const context = `case ${index}: ${JSON.stringify(error)}`;
      assert.equal(error.error.code, expected.code, context);
      assert.match(error.error.message, expected.mentions, context);
      assert.equal(error.ref, expected.ref, context);
      assert.equal(error.id, expected.id, context);
      assert.equal(inbox.socket.readyState, inbox.socket.OPEN, `open after ${context}`);
    }
    assert.equal(inbox.messages.filter((m) => m.type !== 'error').length, 0, 'no accepted or result for a bad message');

    const data = irisRows(seededRandom(35), 2);
    inbox.send({ type: 'predict', model: 'iris', request: irisRequest(data), ref: 'still-works' });
    const accepted = await inbox.next<Accepted>((m) => m.type === 'accepted' && m.ref === 'still-works');
    await assertMatchesDirect(await inbox.next<Result>(isResultFor(accepted.id)), data);
  });

  it('counts WebSocket submissions and refusals in /metrics', async () => {
    const text = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
    const submitted = /^inferq_predictions_submitted_total\{model="iris",version="1",transport="ws"\} (\d+)$/m.exec(text);
    assert.ok(submitted && Number(submitted[1]) >= 15, submitted?.[0]);
    assert.match(text, /^inferq_predictions_rejected_total\{code="DATATYPE_MISMATCH"\} [1-9]/m);
  });
});
