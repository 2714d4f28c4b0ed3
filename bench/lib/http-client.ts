import { Agent, request } from 'node:http';

/** How long the client keeps an idle connection: below the API's 10 s keep-alive timeout, with room for a lagging event loop. */
const IDLE_SOCKET_MS = 4_000;

/**
 * A minimal keep-alive JSON client over node:http: fetch costs ~0.1 ms more per request, which on
 * a 2-core machine shared with the server is load the system under test would pay for.
 */
export class HttpClient {
  readonly #agent: Agent;
  readonly #host: string;
  readonly #port: number;

  /**
   * @param maxSockets - connections at once. @defaultValue 256
   * @param idleSocketMs - a kept-alive connection idle this long is closed by the client. It must
   *   stay well below the server's keep-alive timeout (the API's KEEP_ALIVE_TIMEOUT_MS, 10 s by
   *   default): otherwise a request can be written to a connection at the moment the server closes
   *   it as idle, and fails with ECONNRESET, never accepted. @defaultValue 4000
   */
  constructor(baseUrl: string, maxSockets = 256, idleSocketMs = IDLE_SOCKET_MS) {
    const url = new URL(baseUrl);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    // `timeout` is what closes idle sockets: without it Node's Agent keeps them until the server
    // closes them, whatever the server's `Keep-Alive: timeout=10` hint says (the hint only lowers
    // an agent timeout that is set). With the default LIFO scheduling, the connections a burst
    // opened sit idle under the busy ones, and the next burst (or a pause of the API that makes
    // every free connection busy) takes them just as the API closes them: the POST is reset
    // (ECONNRESET) and never accepted; 10-214 of them in short soak-like runs with the API or the
    // load generator paused (docs/benchmarks.md, "Soak"). The timeout does not end a request in
    // progress: only free sockets are destroyed on it.
    this.#agent = new Agent({ keepAlive: true, maxSockets, timeout: idleSocketMs });
  }

  /** Sends a request; resolves with status and body text. */
  send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.#host, port: this.#port, method, path, agent: this.#agent,
        headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
