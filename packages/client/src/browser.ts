/**
 * Browser entry of `@inferq/client`: the global fetch and WebSocket, no Node-only imports.
 * Browsers cannot set headers on a WebSocket, so the API key travels as `?api_key=` there
 * (docs/api.md: prefer a key with only the scopes the page needs).
 */
import { InferqClient } from './client.js';
import type { InferqClientOptions } from './options.js';
import { whatwgSocketFactory, type SocketLike } from './socket.js';

export * from './shared-exports.js';

/** Makes a client; results are pushed over the browser's WebSocket. */
export function createClient(options: InferqClientOptions): InferqClient {
  const ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  return new InferqClient(options, ctor ? whatwgSocketFactory(ctor) : undefined);
}
