/**
 * The little of the WHATWG WebSocket interface the client uses, so the browser's WebSocket,
 * Node 22's global one and the `ws` package all fit.
 */

/** A WebSocket as the client needs it. */
export interface SocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a socket to `url`; `headers` carry the API key where the implementation can send headers. */
export type SocketFactory = (url: string, headers: Record<string, string>) => SocketLike;

/** readyState of an open socket (the same number in every implementation). */
export const SOCKET_OPEN = 1;

/** A factory over a WHATWG WebSocket constructor (browsers, Node 22+): it cannot send headers, so the key goes in `?api_key=`. */
export function whatwgSocketFactory(ctor: new (url: string) => SocketLike): SocketFactory {
  return (url, headers) => {
    const key = headers['x-api-key'];
    const target = key === undefined ? url : `${url}${url.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`;
    const socket = new ctor(target);
    socket.binaryType = 'arraybuffer';
    return socket;
  };
}
