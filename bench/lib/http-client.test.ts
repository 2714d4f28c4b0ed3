import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient } from './http-client.js';

/**
 * The load generator's keep-alive client closes idle connections before the server does: a
 * request written to a connection the server is closing as idle fails with ECONNRESET and is
 * never accepted (the few errors of the soak runs, docs/benchmarks.md "Soak").
 */
describe('bench HttpClient keep-alive', () => {
  let server: Server;
  let base: string;
  const open = new Set<Socket>();
  let connections = 0;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{}'));
    });
    server.keepAliveTimeout = 5_000; // the server would keep the connection far longer than the client may
    server.on('connection', (socket: Socket) => {
      connections++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('reuses a connection while it is fresh and closes it itself once idle for idleSocketMs', async () => {
    const client = new HttpClient(base, 4, 300);
    try {
      assert.equal((await client.send('POST', '/', '{}')).status, 202);
      assert.equal((await client.send('POST', '/', '{}')).status, 202);
      assert.equal(connections, 1, 'the second request reused the kept-alive connection');
      assert.equal(open.size, 1);
      const deadline = Date.now() + 3_000;
      while (open.size > 0 && Date.now() < deadline) await sleep(20);
      assert.equal(open.size, 0, 'the idle connection was closed by the client, well before the server\'s 5 s keep-alive timeout');
      assert.equal((await client.send('POST', '/', '{}')).status, 202, 'a later request opens a new connection');
      assert.equal(connections, 2);
    } finally {
      client.close();
    }
  });
});
