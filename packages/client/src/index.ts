/**
 * Node entry of `@inferq/client` (Node 20+): the global fetch, and the `ws` package for the
 * WebSocket (it sends the API key as a header; Node's own global WebSocket, present from
 * Node 22, is used only when `ws` cannot be loaded). Browsers get `./browser.ts` through the
 * `browser` export condition.
 */
import { InferqClient } from './client.js';
import type { InferqClientOptions } from './options.js';
import { whatwgSocketFactory, type SocketFactory, type SocketLike } from './socket.js';

export * from './shared-exports.js';

// Loaded once; `ws` is a dependency, the fallback covers bundles that left it out.
const nodeSocket: SocketFactory | undefined = await (async () => {
  try {
    const { default: WebSocket } = await import('ws');
    return (url: string, headers: Record<string, string>) => {
      const socket = new WebSocket(url, { headers, perMessageDeflate: false });
      socket.binaryType = 'arraybuffer';
      return socket as unknown as SocketLike;
    };
  } catch {
    const ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
    return ctor ? whatwgSocketFactory(ctor) : undefined;
  }
})();

/** Makes a client; results are pushed over a WebSocket (`ws`). */
export function createClient(options: InferqClientOptions): InferqClient {
  return new InferqClient(options, nodeSocket);
}
