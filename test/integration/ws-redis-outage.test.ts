/**
 * The WebSocket while Redis is away: a real redis-server is killed (SIGKILL) and restarted on the
 * same port. Every refusal must be the typed QUEUE_UNAVAILABLE (with the message's `ref`, and the
 * `id` for subscribe), as over REST, never INTERNAL_ERROR; once Redis is back the same socket is
 * served again.
 *
 * First, deterministically, the case that answered INTERNAL_ERROR: Redis dies while a MULTI (the
 * submit's record write) is unanswered. ioredis then rejects its commands and EXEC with one error
 * object and lists it in EXEC's own `previousErrors`; the out-of-memory check recursed through
 * that cycle until the stack overflowed. Redis is stopped (SIGSTOP) before the MULTI is sent, then killed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { InferqError, newPredictionId, redisKeys, type WsServerMessage } from '@inferq/contract';
import { createRedisConnection, waitUntilReady } from '@inferq/redis';
import { PredictionStore } from '@inferq/predictions';
import { redisCall } from '../../apps/api/src/redis-call.js';
import { waitUntil } from '../helpers/processes.js';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

/** Rounds of messages sent in each phase (outage, reconnect); each waits for all its answers. */
const MAX_ROUNDS = 5_000;
/** Bound of each phase. */
const PHASE_MS = 30_000;
/** Messages of each kind per round: several in one turn, so they meet the connection in every state. */
const PER_ROUND = 8;

const predict = (ref: string) => ({ type: 'predict', model: 'iris', ref, request: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] } });

/** Collects what a socket receives and waits, with a bound, for the answers to given refs. */
class Inbox {
  readonly messages: WsServerMessage[] = [];
  readonly #waiters = new Set<() => void>();
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString('utf8')) as WsServerMessage);
      for (const wake of this.#waiters) wake();
    });
  }

  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves with the first message matching `predicate`, failing after `timeoutMs`. */
  next(predicate: (m: WsServerMessage) => boolean, timeoutMs = 10_000): Promise<WsServerMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(predicate);
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`no matching message within ${timeoutMs} ms; last received: ${JSON.stringify(this.messages.slice(-4)).slice(0, 600)}`)); }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); this.#waiters.delete(check); };
      this.#waiters.add(check);
      check();
    });
  }
}

const refOf = (m: WsServerMessage) => (m as { ref?: string }).ref;

describe('WebSocket through a Redis outage (real redis-server killed and restarted)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let socket: WebSocket | undefined;

  before(async () => {
    redis = await startTestRedis();
    // A short enqueue timeout: a command stuck on a dead connection answers within the round.
    stack = await startInProcessStack(redis.url, { workers: 0, env: { ENQUEUE_TIMEOUT_MS: '500', COALESCE_MAX_PREDICTIONS: '64' } });
  });
  after(async () => {
    socket?.terminate();
    for (const client of stack?.app.websocketServer.clients ?? []) client.terminate();
    await stack?.close();
    await redis?.dispose();
  });

  it('maps a MULTI cut off by the kill to QUEUE_UNAVAILABLE (redisCall, as every route uses it)', async () => {
    // The API's kind of connection (producer: no offline queue, one retry) and its record write.
    const producer = createRedisConnection(redis.url, 'producer', { retryStrategy: () => null });
    producer.on('error', () => {}); // it dies with the server
    try {
      await waitUntilReady(producer);
      const store = new PredictionStore(producer, redisKeys('outage'), 60);
      // A stopped server answers nothing, so the kill cuts off every command of the MULTI at once.
      redis.process.kill('SIGSTOP');
      const write = redisCall(producer, 20_000, () => store.create({ id: newPredictionId(), model: 'iris', version: '1', createdAt: Date.now() }));
      const outcome = write.then(() => undefined, (error: unknown) => error);
      await redis.kill();
      const error = await outcome;
      assert.ok(error instanceof InferqError, `a typed error, not ${String(error)}`);
      assert.equal(error.code, 'QUEUE_UNAVAILABLE', error.message);
    } finally {
      producer.disconnect();
    }
    redis = await redis.restart();
    await waitUntil(async () => (await stack.app.inject('/v2/health/ready')).statusCode === 200, 30_000, 'the API to reconnect');
  });

  it('answers QUEUE_UNAVAILABLE (with ref and id), never INTERNAL_ERROR, and serves again after the restart', async (t) => {
    socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    const inbox = new Inbox(socket);
    inbox.send(predict('before'));
    const accepted = await inbox.next((m) => refOf(m) === 'before');
    assert.equal(accepted.type, 'accepted', JSON.stringify(accepted));

    let round = 0;
    const ids = new Map<string, string>();
    /** One round: PER_ROUND predicts and subscribes sent at once; returns their answers. */
    const sendRound = async (): Promise<WsServerMessage[]> => {
      const refs: string[] = [];
      for (let i = 0; i < PER_ROUND; i++) {
        const p = `p${round}.${i}`;
        const s = `s${round}.${i}`;
        refs.push(p, s);
        inbox.send(predict(p));
        // A fresh id each time (one this socket already waits on is not read again): while Redis
        // answers it is PREDICTION_NOT_FOUND, while it is away QUEUE_UNAVAILABLE.
        const id = newPredictionId();
        ids.set(s, id);
        inbox.send({ type: 'subscribe', ids: [id], ref: s });
      }
      round++;
      // injectWS carries frames without I/O: yield to timers so the Redis client can reconnect.
      await new Promise((resolve) => setImmediate(resolve));
      return Promise.all(refs.map((ref) => inbox.next((m) => refOf(m) === ref && m.type !== 'result')));
    };
    const checkRefusals = (answers: WsServerMessage[]) => {
      for (const answer of answers) {
        if (answer.type !== 'error') continue;
        const ref = refOf(answer)!;
        if (ref.startsWith('s')) {
          assert.equal((answer as { id?: string }).id, ids.get(ref));
          if (answer.error.code === 'PREDICTION_NOT_FOUND') continue;
        }
        assert.equal(answer.error.code, 'QUEUE_UNAVAILABLE', `a refusal during the outage: ${JSON.stringify(answer)}`);
      }
    };

    // Kill Redis first, then send right away: the first rounds meet the connection as it breaks.
    await redis.kill();
    let refused = 0;
    const outageEnd = Date.now() + 2_000;
    while (round < MAX_ROUNDS / 2 && Date.now() < outageEnd) {
      const answers = await sendRound();
      checkRefusals(answers);
      refused += answers.filter((a) => a.type === 'error').length;
    }
    assert.ok(refused > 0, 'messages met the outage');

    // Restart and keep sending while the API reconnects, until a predict is accepted again.
    redis = await redis.restart();
    const deadline = Date.now() + PHASE_MS;
    let served = false;
    while (!served && round < MAX_ROUNDS && Date.now() < deadline) {
      const answers = await sendRound();
      checkRefusals(answers);
      served = answers.some((a) => a.type === 'accepted');
    }
    t.diagnostic(`${round} rounds of ${PER_ROUND * 2} messages; ${refused} refused during the outage`);
    assert.ok(served, 'the socket is served again after the restart');
  });
});
