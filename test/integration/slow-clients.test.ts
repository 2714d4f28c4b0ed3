/**
 * Slow and greedy clients against the real API listening on loopback (issue 9, A.3): a client
 * trickling its headers or its body one byte at a time, or idling on a kept-alive connection, is
 * disconnected by the configured timeouts; one client address cannot hold more connections than
 * MAX_CONNECTIONS_PER_CLIENT. The timeouts are set short here; each case asserts that the API
 * closed the connection, not how fast (the bounds only stop a broken build from hanging).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const MAX_CONNECTIONS = 4;

/** A raw TCP client: what it received, and whether the server closed it. */
interface RawClient {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  let done = false;
  socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
  socket.on('error', () => {}); // a reset by the server ends in 'close' too
  const closed = new Promise<void>((resolve) => socket.once('close', () => { done = true; resolve(); }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed, isClosed: () => done };
}

/**
 * Writes `head`, then one byte of `trickle` every 100 ms until the server closes the socket; fails
 * if it is still open after 200 bytes (20 s, far beyond the configured timeouts).
 */
async function trickleUntilClosed(client: RawClient, head: string, trickle = 'x'.repeat(200)): Promise<void> {
  client.socket.write(head);
  for (let i = 0; i < trickle.length && !client.isClosed(); i++) {
    await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 100))]);
    if (!client.isClosed()) client.socket.write(trickle[i]!);
  }
  assert.ok(client.isClosed(), `the API kept a trickling connection open; it answered ${JSON.stringify(client.received().slice(0, 200))}`);
}

describe('slow clients and connection caps (real API on loopback)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let port: number;
  const sockets: WebSocket[] = [];

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, {
      workers: 0,
      env: { REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '500', KEEP_ALIVE_TIMEOUT_MS: '500', MAX_CONNECTIONS_PER_CLIENT: String(MAX_CONNECTIONS) },
    });
    await stack.app.listen({ port: 0, host: '127.0.0.1' });
    const address = stack.app.server.address();
    assert.ok(address && typeof address === 'object');
    port = address.port;
  });
  after(async () => {
    for (const socket of sockets) socket.terminate();
    await stack?.close();
    await redis?.dispose();
  });

  it('closes a connection whose headers trickle in (headers timeout)', async () => {
    const client = await rawClient(port);
    await trickleUntilClosed(client, 'GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  });

  it('closes a request whose body trickles in, on an open route and an unknown path (request timeout)', async () => {
    for (const path of ['/v2/health/live', '/no/such/route', '/v1/models/iris/predictions']) {
      const client = await rawClient(port);
      await trickleUntilClosed(client, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    }
  });

  it('closes an idle kept-alive connection after answering (keep-alive timeout)', async () => {
    const client = await rawClient(port);
    client.socket.write('GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    assert.ok(client.isClosed(), 'the idle connection was closed');
    assert.match(client.received(), /^HTTP\/1\.1 200 /, 'the request itself was answered');
  });

  it(`refuses a client address its ${MAX_CONNECTIONS + 1}th connection, and takes it again once one closes`, async () => {
    // WebSockets: held open without tripping any of the HTTP timeouts above.
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
    }
    const refused = await rawClient(port);
    refused.socket.write('GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await Promise.race([refused.closed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    assert.ok(refused.isClosed(), 'the connection over the cap was closed');
    assert.equal(refused.received(), '', 'and not served');

    const first = sockets[0]!;
    await new Promise<void>((resolve) => {
      first.once('close', () => resolve());
      first.close();
    });
    // The server sees the close a moment after the client does: retry, bounded.
    let answer = '';
    for (let attempt = 0; attempt < 50 && !answer.startsWith('HTTP/1.1 200'); attempt++) {
      const client = await rawClient(port);
      client.socket.write('GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      answer = client.received();
      client.socket.destroy();
      if (!answer) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(answer, /^HTTP\/1\.1 200 /, 'served again below the cap');
  });
});
