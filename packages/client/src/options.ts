/** Client options, checked once when the client is made (a bad value throws INVALID_ARGUMENT naming it). */
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { InferqClientError } from './errors.js';
import type { SocketFactory } from './socket.js';

/** Options of {@link InferqClient}. */
export interface InferqClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** API key, sent as `X-API-Key` (WebSocket in browsers: `?api_key=`). @defaultValue none */
  apiKey?: string;
  /** Most calls (predictions from submit to result, and other requests) in flight at once; more wait their turn. @defaultValue 256 */
  maxInFlight?: number;
  /** Client-side limit of one call, ms, including waiting for a slot and for the result; 0 = none. @defaultValue 60000 */
  timeoutMs?: number;
  /**
   * How results arrive: `push` (WebSocket, long-poll once the socket cannot be opened after
   * `reconnect.maxAttempts` tries) or `poll` (long-poll only).
   * @defaultValue 'push'
   */
  results?: 'push' | 'poll';
  /** Requests whose tensors would take more JSON than this travel as the binary data extension. @defaultValue 65536 */
  binaryThresholdBytes?: number;
  /** Times a submit refused with nothing queued (503 QUEUE_UNAVAILABLE or API_SHUTTING_DOWN, 429, connection refused) is sent again. @defaultValue 5 */
  submitRetries?: number;
  /** Reconnect back-off of the WebSocket (and the wait between long-poll retries). @defaultValue 100 ms doubling to 5 s, 12 attempts */
  reconnect?: BackoffOptions;
  /** Longest single long-poll, ms (the server caps it at its MAX_WAIT_MS). @defaultValue 25000 */
  longPollMs?: number;
  /** WebSocket implementation. @defaultValue the entry's own (`ws` in Node, the global WebSocket in browsers) */
  webSocket?: SocketFactory;
  /** fetch implementation. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  url: string;
  wsUrl: string;
  apiKey: string | undefined;
  maxInFlight: number;
  timeoutMs: number;
  results: 'push' | 'poll';
  binaryThresholdBytes: number;
  submitRetries: number;
  reconnect: Required<BackoffOptions>;
  longPollMs: number;
  fetch: typeof fetch;
}

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new InferqClientError('INVALID_ARGUMENT', `option ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  return value;
}

export function resolveOptions(options: InferqClientOptions): ResolvedOptions {
  if (typeof options?.url !== 'string') throw new InferqClientError('INVALID_ARGUMENT', 'option url is required (e.g. http://127.0.0.1:3000)');
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new InferqClientError('INVALID_ARGUMENT', `option url "${options.url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InferqClientError('INVALID_ARGUMENT', `option url must be http(s), got ${parsed.protocol}`);
  const url = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === '' || /[\r\n]/.test(options.apiKey))) {
    throw new InferqClientError('INVALID_ARGUMENT', 'option apiKey must be a non-empty single-line string');
  }
  if (options.results !== undefined && options.results !== 'push' && options.results !== 'poll') throw new InferqClientError('INVALID_ARGUMENT', 'option results must be "push" or "poll"');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new InferqClientError('INVALID_ARGUMENT', 'no fetch: pass option fetch (Node 20+ and browsers have one)');
  const r = options.reconnect ?? {};
  return Object.freeze({
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/v1/ws`,
    apiKey: options.apiKey,
    maxInFlight: integer('maxInFlight', options.maxInFlight, 256, 1),
    timeoutMs: integer('timeoutMs', options.timeoutMs, 60_000, 0),
    results: options.results ?? 'push',
    binaryThresholdBytes: integer('binaryThresholdBytes', options.binaryThresholdBytes, 65_536, 0),
    submitRetries: integer('submitRetries', options.submitRetries, 5, 0),
    reconnect: Object.freeze({
      initialDelayMs: integer('reconnect.initialDelayMs', r.initialDelayMs, DEFAULT_BACKOFF.initialDelayMs, 1),
      maxDelayMs: integer('reconnect.maxDelayMs', r.maxDelayMs, DEFAULT_BACKOFF.maxDelayMs, 1),
      maxAttempts: integer('reconnect.maxAttempts', r.maxAttempts, DEFAULT_BACKOFF.maxAttempts, 1),
    }),
    longPollMs: integer('longPollMs', options.longPollMs, 25_000, 1),
    fetch: fetchImpl.bind(globalThis),
  });
}
