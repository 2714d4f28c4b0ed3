/**
 * What one WebSocket may cost the API, whatever its client does (issue 9, A.2). A client that
 * sends but never reads used to grow the API by ~900 MiB: every answer piled up in the socket's
 * send buffer, and every message it sent was handled at once, however many were still pending.
 * Here both directions are bounded:
 * - outgoing: once more than `maxBufferedBytes` wait to be sent, the socket is closed with 1008
 *   (policy violation); one message larger than the limit still goes out to a client that keeps up;
 * - incoming: at most MAX_MESSAGES_IN_FLIGHT messages of a socket are handled at once; beyond that
 *   the socket stops being read, so TCP flow control holds the client back.
 */
import type { WebSocket } from 'ws';

/** Close code for a client that does not read what it is sent (RFC 6455: policy violation). */
export const CLOSE_NOT_READING = 1008;
/** Most ids one `subscribe` message may name (more: `TOO_MANY_IDS`). */
export const MAX_SUBSCRIBE_IDS = 1_000;
/** Most ids one socket may wait on at once. */
export const MAX_WATCHED_PER_SOCKET = 10_000;
/**
 * Messages of one socket handled at once. Enough to pipeline predictions over one socket (each
 * waits on a Redis round trip); a `subscribe` holds up to 1 000 ids, so 16 of them are ~16 000
 * ids in hand at most, instead of everything a client manages to send.
 */
export const MAX_MESSAGES_IN_FLIGHT = 16;

/** Per-socket limits, from the API configuration. */
export interface WsLimitOptions {
  /** Bytes waiting to be sent to one client before it is closed with 1008. */
  wsMaxBufferedBytes: number;
}

/** Guards one socket: bounded sends, bounded concurrent message handling. */
export class SocketBudget {
  readonly #socket: WebSocket;
  readonly #maxBufferedBytes: number;
  #inFlight = 0;
  #paused = false;

  constructor(socket: WebSocket, options: WsLimitOptions) {
    this.#socket = socket;
    this.#maxBufferedBytes = options.wsMaxBufferedBytes;
  }

  /** True while the socket is open; messages arriving after a close started are not handled. */
  get open(): boolean {
    return this.#socket.readyState === this.#socket.OPEN;
  }

  /** Handles one incoming message; reading pauses while MAX_MESSAGES_IN_FLIGHT are in hand. */
  async handle(work: () => Promise<void>): Promise<void> {
    if (++this.#inFlight >= MAX_MESSAGES_IN_FLIGHT && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
    try {
      await work();
    } finally {
      if (--this.#inFlight < MAX_MESSAGES_IN_FLIGHT && this.#paused) {
        this.#paused = false;
        this.#socket.resume();
      }
    }
  }

  /**
   * Sends `text` unless the client is too far behind: when the bytes already waiting plus these
   * would pass the limit, closes the socket with 1008 instead (and sends nothing more).
   * @returns whether the text was queued.
   */
  send(text: string): boolean {
    if (!this.open) return false;
    const waiting = this.#socket.bufferedAmount;
    // `text.length` is the byte count for the ASCII JSON we send, a lower bound otherwise.
    if (waiting > 0 && waiting + text.length > this.#maxBufferedBytes) {
      this.#socket.close(CLOSE_NOT_READING, 'not reading: more than WS_MAX_BUFFERED_BYTES waiting to be sent');
      return false;
    }
    this.#socket.send(text);
    return true;
  }
}
