import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { CLOSE_NOT_READING, QUEUED_MESSAGE_OVERHEAD_BYTES, SocketBudget, type Corkable } from './ws-limits.js';

/** A socket that records what it is sent; `bufferedAmount` is what the test says waits. */
function fakeSocket(waiting = 0) {
  const sent: string[] = [];
  const closed: number[] = [];
  const socket = {
    OPEN: 1, readyState: 1, bufferedAmount: waiting,
    send: (text: string) => { sent.push(text); },
    close: (code: number) => { closed.push(code); socket.readyState = 2; },
    pause: () => {}, resume: () => {},
  };
  return { socket, sent, closed, ws: socket as unknown as WebSocket };
}

function fakeConnection() {
  const calls: string[] = [];
  const connection: Corkable = { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') };
  return { connection, calls };
}

const tick = () => new Promise((resolve) => process.nextTick(resolve));

describe('SocketBudget with a connection to cork', () => {
  it('holds the messages of one turn and lets them go together on the next tick', async () => {
    const { ws, sent } = fakeSocket();
    const { connection, calls } = fakeConnection();
    const budget = new SocketBudget(ws, { wsMaxBufferedBytes: 1024 * 1024 }, () => {}, connection);
    for (let i = 0; i < 5; i++) assert.equal(budget.send(`m${i}`), true);
    assert.deepEqual(calls, ['cork']);
    assert.equal(sent.length, 5);
    await tick();
    assert.deepEqual(calls, ['cork', 'uncork']);
    budget.send('next turn');
    assert.deepEqual(calls, ['cork', 'uncork', 'cork']);
    await tick();
    assert.deepEqual(calls, ['cork', 'uncork', 'cork', 'uncork']);
  });

  it('offers a turn about to pass the limit to the kernel first, and judges by what it leaves waiting', async () => {
    const { socket, ws, sent, closed } = fakeSocket();
    const { connection, calls } = fakeConnection();
    let refused = 0;
    const budget = new SocketBudget(ws, { wsMaxBufferedBytes: 4096 }, () => refused++, connection);
    assert.equal(budget.send('x'.repeat(10_000)), true); // the turn's first: goes, as without the cork
    assert.equal(budget.send('y'), true); // the kernel took the first: nothing waits
    assert.deepEqual(calls, ['cork', 'uncork', 'cork']);
    socket.bufferedAmount = 3000; // from here the kernel leaves 3 000 bytes waiting
    assert.equal(budget.send('z'.repeat(3000)), true); // the turn holds 513 + 3512 ≤ 4096
    assert.equal(budget.send('w'.repeat(100)), true); // would pass: offered first; 3000 wait, + 612 fits
    assert.equal(budget.send('v'.repeat(1000)), false); // 3000 wait + 512 + 1512 > 4096
    assert.deepEqual(calls, ['cork', 'uncork', 'cork', 'uncork', 'cork', 'uncork', 'cork']);
    assert.deepEqual(closed, [CLOSE_NOT_READING]);
    assert.equal(refused, 1);
    assert.equal(sent.length, 4);
    await tick();
  });

  it('closes a socket whose earlier messages still wait once this turn would pass the limit', async () => {
    const limit = 64 * 1024;
    const { ws, sent, closed } = fakeSocket(limit - 2 * QUEUED_MESSAGE_OVERHEAD_BYTES);
    const { connection } = fakeConnection();
    const budget = new SocketBudget(ws, { wsMaxBufferedBytes: limit }, () => {}, connection);
    assert.equal(budget.send('a'), true);
    assert.equal(budget.send('b'), false);
    assert.deepEqual(closed, [CLOSE_NOT_READING]);
    assert.deepEqual(sent, ['a']);
    await tick();
  });
});
