/**
 * Slow and greedy HTTP clients (issue 9, A.3). Fastify leaves Node's request timeout at 0, so a
 * client sending one byte every 5 s held a request open for 330 s, key or no key, and nothing
 * capped how many connections one client holds. Here:
 * - `headersTimeout`: the request line and headers must arrive within HEADERS_TIMEOUT_MS;
 * - `requestTimeout`: the whole request, body included, within REQUEST_TIMEOUT_MS (only the
 *   receiving: long-polls and `/v2` sync waits answer later and are not cut by it);
 * - `keepAliveTimeout`: an idle kept-alive connection closes after KEEP_ALIVE_TIMEOUT_MS;
 * - at most MAX_CONNECTIONS_PER_CLIENT open connections (WebSockets included) per peer address;
 *   one more is closed at once, unanswered (answering would cost what the cap saves).
 * Node answers an expired request `408` and closes the connection.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/** The limits, from the API configuration. */
export interface ServerTimeoutOptions {
  /** `REQUEST_TIMEOUT_MS`: longest time to receive a whole request. @defaultValue 30000 */
  requestTimeoutMs: number;
  /** `HEADERS_TIMEOUT_MS`: longest time to receive the request line and headers. @defaultValue 10000 */
  headersTimeoutMs: number;
  /** `KEEP_ALIVE_TIMEOUT_MS`: an idle kept-alive connection closes after this. @defaultValue 10000 */
  keepAliveTimeoutMs: number;
  /** `MAX_CONNECTIONS_PER_CLIENT`: open connections per client address; 0 = no cap. @defaultValue 1024 */
  maxConnectionsPerClient: number;
}

/** The Fastify server options that apply the timeouts (spread into `Fastify({...})`). */
export function serverTimeoutOptions(options: ServerTimeoutOptions): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    http: {
      headersTimeout: options.headersTimeoutMs,
      // Node checks expiry every 30 s by default, so a 10 s timeout would act after up to 40 s;
      // a check walks the open connections only, so a tighter interval costs little.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(Math.min(options.headersTimeoutMs, options.requestTimeoutMs) / 4))),
    },
  };
}

/**
 * Caps open connections per client address on `server`. Behind a reverse proxy every client
 * shares the proxy's address: raise the cap there, or set 0.
 * @param onRefused - called for each connection closed over the cap (logging, metrics).
 */
export function installConnectionCap(server: Server, maxPerClient: number, onRefused: (address: string) => void = () => {}): void {
  if (maxPerClient <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= maxPerClient) {
      socket.destroy();
      onRefused(address);
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address); // the map holds connected addresses only
      else open.set(address, left);
    });
  });
}
