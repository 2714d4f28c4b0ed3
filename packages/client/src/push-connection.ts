/**
 * One WebSocket to `/v1/ws`, shared by every call of a client: sends `predict` messages and
 * `subscribe`s, and hands each pushed result to the client. When the socket drops (an API
 * restart, a network cut) it reconnects with capped exponential back-off and subscribes again to
 * every id still pending, in messages of at most {@link SUBSCRIBE_CHUNK} ids. After
 * `maxAttempts` failed connects in a row it gives up and tells the client, which long-polls.
 *
 * Messages (packages/contract/src/ws-messages.ts): client → `predict` {model, version, request,
 * ref} and `subscribe` {ids}; server → `accepted` {id, ref}, `result` {id, status, …}, `error`
 * {ref?, id?, error}.
 */
import type { WsServerMessage } from '@inferq/contract';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { InferqClientError } from './errors.js';
import { SOCKET_OPEN, type SocketFactory, type SocketLike } from './socket.js';
import type { FinalPrediction } from './types.js';

/** Most ids per `subscribe` message (the server takes more; small messages keep its per-socket buffers small). */
export const SUBSCRIBE_CHUNK = 100;

/** What the connection needs from its client. */
export interface PushConnectionOptions {
  url: string;
  headers: Record<string, string>;
  factory: SocketFactory;
  backoff: Required<BackoffOptions>;
  /** Ids the client still waits on (read at every (re)connect). */
  pendingIds(): Iterable<string>;
  /** A final result arrived. */
  onResult(prediction: FinalPrediction): void;
  /** The server refused to watch an id (unknown, not ours, forbidden). */
  onIdError(id: string, error: InferqClientError): void;
  /** Connecting failed `maxAttempts` times in a row (or the key was refused): long-poll from now on. */
  onGiveUp(error: InferqClientError): void;
}

/** Counters for tests and diagnostics. */
export interface PushStats {
  connects: number;
  reconnects: number;
  subscribeMessages: number;
  resubscribedIds: number;
}

interface PendingPredict {
  /** Called inside the message handler, before any later message of the same read is handled. */
  onAccepted(id: string): void;
  resolve(accepted: { id: string; model: string; version: string }): void;
  reject(error: InferqClientError): void;
}

type State = 'idle' | 'connecting' | 'open' | 'waiting' | 'failed' | 'closed';

export class PushConnection {
  readonly stats: PushStats = { connects: 0, reconnects: 0, subscribeMessages: 0, resubscribedIds: 0 };
  readonly #options: PushConnectionOptions;
  #state: State = 'idle';
  #socket: SocketLike | undefined;
  #failures = 0;
  #everOpened = false;
  #gaveUpAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextRef = 0;
  readonly #predicts = new Map<string, PendingPredict>();
  /** Callers waiting for the socket to open. */
  readonly #openWaiters = new Set<{ resolve(): void; reject(e: InferqClientError): void }>();
  /** Ids to subscribe on the next flush. */
  readonly #toSubscribe = new Set<string>();
  #flushScheduled = false;
  /** ref of a `subscribe` message → its ids, so an error about the whole message reaches each id. */
  readonly #subscribeRefs = new Map<string, string[]>();

  constructor(options: PushConnectionOptions) {
    this.#options = options;
  }

  get state(): State {
    return this.#state;
  }

  /**
   * Starts connecting if nothing is under way. After giving up it tries again only once a
   * cool-down (4 × the longest back-off) has passed, so calls meanwhile long-poll without
   * hammering an API that refuses sockets.
   */
  ensure(): void {
    const cooled = this.#state === 'failed' && Date.now() - this.#gaveUpAt >= 4 * this.#options.backoff.maxDelayMs;
    if (this.#state === 'idle' || cooled) {
      this.#failures = 0;
      this.#connect();
    }
  }

  /** Subscribes to `id` (now if open, else on connect, which re-subscribes every pending id). */
  subscribe(id: string): void {
    this.ensure();
    if (this.#state !== 'open') return;
    this.#toSubscribe.add(id);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** Resolves when the socket is open; rejects when the connection gives up or is closed. */
  opened(): Promise<void> {
    this.ensure();
    if (this.#state === 'open') return Promise.resolve();
    if (this.#state === 'failed') return Promise.reject(new InferqClientError('CONNECTION_FAILED', `no WebSocket to ${this.#options.url}: gave up after ${this.#options.backoff.maxAttempts} attempts`));
    return new Promise((resolve, reject) => this.#openWaiters.add({ resolve, reject }));
  }

  /**
   * Sends a `predict` (a text frame, or a binary frame already holding `[len][json][bytes]`
   * built by `frame(ref)`) and resolves with the accepted id. The result then arrives through
   * `onResult`, on this socket or, after a reconnect, through the re-subscribe.
   */
  async predict(frame: (ref: string) => string | Uint8Array, onAccepted: (id: string) => void): Promise<{ id: string; model: string; version: string }> {
    await this.opened();
    const socket = this.#socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) throw new InferqClientError('CONNECTION_LOST', 'the WebSocket closed before the predict could be sent');
    const ref = `c${(this.#nextRef++).toString(36)}`;
    return new Promise((resolve, reject) => {
      this.#predicts.set(ref, { onAccepted, resolve, reject });
      socket.send(frame(ref));
    });
  }

  /** Closes for good; pending predicts reject with CLIENT_CLOSED. Idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#timer);
    const error = new InferqClientError('CLIENT_CLOSED', 'the client was closed');
    this.#rejectInFlight(error);
    for (const waiter of this.#openWaiters) waiter.reject(error);
    this.#openWaiters.clear();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = () => {};
      try { socket.close(1000, 'client closed'); } catch { /* already closing */ }
    }
  }

  #connect(): void {
    this.#state = 'connecting';
    let socket: SocketLike;
    try {
      socket = this.#options.factory(this.#options.url, this.#options.headers);
    } catch (error) {
      this.#onDown(new InferqClientError('CONNECTION_FAILED', `cannot open a WebSocket to ${this.#options.url}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    this.#socket = socket;
    socket.onopen = () => this.#onOpen();
    socket.onmessage = (event) => this.#onMessage(event.data);
    socket.onerror = () => {}; // always followed by close
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      if (event.code === 4401) {
        this.#giveUp(new InferqClientError('UNAUTHORIZED', 'the WebSocket was closed: API key revoked or required', { status: 401 }));
        return;
      }
      this.#onDown(new InferqClientError('CONNECTION_FAILED', `WebSocket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`));
    };
  }

  #onOpen(): void {
    this.#state = 'open';
    this.stats.connects++;
    if (this.#everOpened) this.stats.reconnects++;
    this.#everOpened = true;
    this.#failures = 0;
    for (const waiter of this.#openWaiters) waiter.resolve();
    this.#openWaiters.clear();
    // Everything still pending: ids accepted on the old socket and ids subscribed before.
    const pending = [...this.#options.pendingIds()];
    if (this.stats.connects > 1) this.stats.resubscribedIds += pending.length;
    for (const id of pending) this.#toSubscribe.add(id);
    this.#flush();
  }

  #flush(): void {
    this.#flushScheduled = false;
    const socket = this.#socket;
    if (!socket || socket.readyState !== SOCKET_OPEN || this.#toSubscribe.size === 0) return;
    const ids = [...this.#toSubscribe];
    this.#toSubscribe.clear();
    for (let i = 0; i < ids.length; i += SUBSCRIBE_CHUNK) {
      const chunk = ids.slice(i, i + SUBSCRIBE_CHUNK);
      const ref = `s${(this.#nextRef++).toString(36)}`;
      this.#subscribeRefs.set(ref, chunk);
      socket.send(JSON.stringify({ type: 'subscribe', ids: chunk, ref }));
      this.stats.subscribeMessages++;
    }
    // Only errors naming no id need the ref; bound the map (such errors come at once if at all).
    while (this.#subscribeRefs.size > 1_000) this.#subscribeRefs.delete(this.#subscribeRefs.keys().next().value!);
  }

  #onDown(error: InferqClientError): void {
    if (this.#state === 'closed') return;
    // A predict sent but not yet accepted may or may not have been queued: say so, never guess.
    this.#rejectInFlight(new InferqClientError('CONNECTION_LOST', `${error.message}; a predict sent on it may or may not have been queued`));
    this.#failures++;
    const pending = this.#hasPending();
    if (this.#failures >= this.#options.backoff.maxAttempts) return this.#giveUp(error);
    if (!pending) {
      this.#state = 'idle'; // nothing to wait for: connect again when needed
      return;
    }
    this.#state = 'waiting';
    this.#timer = setTimeout(() => this.#connect(), backoffDelay(this.#failures, this.#options.backoff));
  }

  #hasPending(): boolean {
    if (this.#openWaiters.size > 0) return true;
    for (const _ of this.#options.pendingIds()) return true;
    return false;
  }

  #giveUp(error: InferqClientError): void {
    this.#state = 'failed';
    this.#gaveUpAt = Date.now();
    clearTimeout(this.#timer);
    for (const waiter of this.#openWaiters) waiter.reject(error);
    this.#openWaiters.clear();
    this.#rejectInFlight(error);
    this.#options.onGiveUp(error);
  }

  #rejectInFlight(error: InferqClientError): void {
    for (const pending of this.#predicts.values()) pending.reject(error);
    this.#predicts.clear();
  }

  #onMessage(data: unknown): void {
    if (typeof data !== 'string') return; // the server sends text frames only
    let message: WsServerMessage;
    try {
      message = JSON.parse(data) as WsServerMessage;
    } catch {
      return;
    }
    if (message.type === 'accepted') {
      const pending = message.ref === undefined ? undefined : this.#predicts.get(message.ref);
      if (pending) {
        this.#predicts.delete(message.ref!);
        pending.onAccepted(message.id);
        pending.resolve({ id: message.id, model: message.model, version: message.version });
      }
    } else if (message.type === 'result') {
      this.#options.onResult(message.status === 'completed'
        ? { id: message.id, status: 'completed', result: message.result, timings: message.timings }
        : { id: message.id, status: message.status, error: message.error, timings: message.timings });
    } else if (message.type === 'error') {
      const error = new InferqClientError(message.error.code, message.error.message, {
        ...(message.id !== undefined ? { predictionId: message.id } : {}),
        ...(message.retryAfterMs !== undefined ? { retryAfterMs: message.retryAfterMs } : {}),
      });
      const pending = message.ref === undefined ? undefined : this.#predicts.get(message.ref);
      if (pending) {
        this.#predicts.delete(message.ref!);
        pending.reject(error);
      } else if (message.id !== undefined) {
        this.#options.onIdError(message.id, error);
      } else if (message.ref !== undefined && this.#subscribeRefs.has(message.ref)) {
        for (const id of this.#subscribeRefs.get(message.ref)!) this.#options.onIdError(id, error);
        this.#subscribeRefs.delete(message.ref);
      }
    }
  }
}
