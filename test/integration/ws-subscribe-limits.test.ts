/**
 * `subscribe` costs are bounded (issue 9, A.2), through the real app and a real Redis: one
 * message names at most 1000 ids (`TOO_MANY_IDS`), all of its ids are answered from one lookup
 * (a known id with its result, the unknown ones `PREDICTION_NOT_FOUND` each), and subscribes
 * count against RATE_LIMIT_PER_SECOND like predictions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { newPredictionId, type WsServerMessage } from '@inferq/contract';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 20_000;

/** Collects a socket's messages; `until` waits (bounded) for a condition over them. */
function collect(socket: WebSocket): { messages: WsServerMessage[]; until(check: (m: WsServerMessage[]) => boolean): Promise<void> } {
  const messages: WsServerMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString()) as WsServerMessage);
    for (const wake of waiters) wake();
  });
  return {
    messages,
    until: (check) => new Promise<void>((resolve, reject) => {
      const wake = () => {
        if (!check(messages)) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`condition not met within ${WAIT_MS} ms; ${messages.length} messages`));
      }, WAIT_MS);
      waiters.add(wake);
      wake();
    }),
  };
}

describe('WebSocket subscribe limits (real Redis)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  const sockets: WebSocket[] = [];

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 1, env: { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' } });
  });
  after(async () => {
    for (const socket of sockets) socket.terminate();
    await stack?.close();
    await redis?.dispose();
  });

  const open = async () => {
    const socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    sockets.push(socket);
    return socket;
  };

  it('answers every id of a 1000-id subscribe, refuses 1001, and rate-limits subscribes', async () => {
    const submitted = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] } });
    assert.equal(submitted.statusCode, 202, submitted.body);
    const known = submitted.json().id as string;

    const socket = await open();
    const inbox = collect(socket);
    const unknown = Array.from({ length: 999 }, newPredictionId);
    socket.send(JSON.stringify({ type: 'subscribe', ids: [known, ...unknown], ref: 'big' }));
    await inbox.until((m) => m.filter((x) => x.type === 'error' && x.ref === 'big').length === 999 && m.some((x) => x.type === 'result' && x.id === known));
    const notFound = new Set(inbox.messages.flatMap((m) => (m.type === 'error' && m.error.code === 'PREDICTION_NOT_FOUND' && m.id ? [m.id] : [])));
    assert.deepEqual([...notFound].sort(), [...unknown].sort(), 'each unknown id answered once');

    socket.send(JSON.stringify({ type: 'subscribe', ids: Array.from({ length: 1_001 }, newPredictionId), ref: 'huge' }));
    await inbox.until((m) => m.some((x) => x.type === 'error' && x.ref === 'huge'));
    const huge = inbox.messages.find((x) => x.type === 'error' && x.ref === 'huge');
    assert.ok(huge?.type === 'error' && huge.error.code === 'TOO_MANY_IDS' && /1000/.test(huge.error.message), JSON.stringify(huge));

    // 1 per second, burst 2: of 6 subscribes sent at once, some are refused with a retry time.
    for (let i = 0; i < 6; i++) socket.send(JSON.stringify({ type: 'subscribe', ids: [known], ref: `rate-${i}` }));
    await inbox.until((m) => m.some((x) => x.type === 'error' && x.error.code === 'RATE_LIMITED'));
    const limited = inbox.messages.find((x) => x.type === 'error' && x.error.code === 'RATE_LIMITED');
    assert.ok(limited?.type === 'error' && /subscribes per second/.test(limited.error.message) && typeof limited.retryAfterMs === 'number', JSON.stringify(limited));
  });
});
