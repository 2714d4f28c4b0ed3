/**
 * What one WebSocket may cost the API, whatever its client does (issue 9, A.2). A client that
 * sends but never reads used to grow the API by ~900 MiB: every answer piled up in the socket's
 * send buffer, and every message it sent was handled at once, however many were still pending.
 * Here both directions are bounded:
 * - outgoing: once more than WS_MAX_BUFFERED_BYTES wait to be sent (text plus a per-message
 *   bookkeeping estimate), the socket is closed with 1008 (policy violation) and read no more;
 *   one message larger than the limit still goes out to a client that keeps up;
 * - incoming: at most MAX_MESSAGES_IN_FLIGHT messages (MAX_BYTES_IN_FLIGHT bytes) of a socket are
 *   handled at once, beyond that the socket stops being read, so TCP flow control holds the
 *   client back; `subscribe` lookups (up to 1 000 ids each) run one at a time per socket.
 */
import type { WebSocket } from 'ws';

/** The connection under a WebSocket (the upgrade request's socket), corked while a burst is sent. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Close code for a client that does not read what it is sent (RFC 6455: policy violation). */
export const CLOSE_NOT_READING = 1008;
/** Most ids one socket may wait on at once. */
export const MAX_WATCHED_PER_SOCKET = 10_000;
/**
 * Messages of one socket handled at once: as many as one coalesced job holds by default
 * (COALESCE_MAX_PREDICTIONS), so predictions pipelined over one socket still share jobs.
 */
export const MAX_MESSAGES_IN_FLIGHT = 64;
/** Bytes of messages of one socket handled at once (one larger message is still handled, alone). */
export const MAX_BYTES_IN_FLIGHT = 16 * 1024 * 1024;
/**
 * Bytes of bookkeeping each message queued for a client costs besides its text (the frame
 * header, two write requests and their Buffers); counted against the limit with the text,
 * so a flood of small answers is bounded too. Measured: 200 000 one-byte frames, each answered
 * with an 85-byte error, took +71 MiB under an 8 MiB limit on the text bytes alone.
 */
export const QUEUED_MESSAGE_OVERHEAD_BYTES = 512;

/** Per-socket limit, from the API configuration. */
export interface WsLimitOptions {
  /** `WS_MAX_BUFFERED_BYTES`: bytes waiting to be sent to one client before it is closed with 1008. @defaultValue 8 MiB */
  wsMaxBufferedBytes: number;
}

/** Guards one socket: bounded sends, bounded concurrent message handling, one subscribe lookup at a time. */
export class SocketBudget {
  readonly #socket: WebSocket;
  readonly #maxBufferedBytes: number;
  #inFlight = 0;
  #inFlightBytes = 0;
  /** Messages sent while others were waiting, not yet handed to the kernel. */
  #queued = 0;
  #paused = false;
  /** Closed for not reading: the socket stays paused. */
  #stopped = false;
  #serial: Promise<unknown> = Promise.resolve();
  readonly #sent = () => { this.#queued--; };

  readonly #onClosed: () => void;
  /** The connection corked while this turn's messages are sent; absent: each message is written at once. */
  readonly #connection: Corkable | undefined;
  /** True from this turn's first send until the connection is uncorked (next tick). */
  #corked = false;
  /** Bytes that waited to be sent when this turn's first message was sent. */
  #waitingBeforeTurn = 0;
  /** Text plus per-message overhead sent this turn (held by the cork, not yet offered to the kernel). */
  #turnBytes = 0;
  readonly #uncork = () => {
    this.#corked = false;
    this.#turnBytes = 0;
    this.#connection!.uncork();
  };

  /**
   * @param onClosed - called when this budget closes the socket (metrics).
   * @param connection - the socket's connection (`request.raw.socket`): when given, the messages
   *   sent in one turn of the event loop (the results of one batch arrive together) go out as one
   *   write instead of one write per message. @defaultValue none
   */
  constructor(socket: WebSocket, options: WsLimitOptions, onClosed: () => void = () => {}, connection?: Corkable) {
    this.#socket = socket;
    this.#maxBufferedBytes = options.wsMaxBufferedBytes;
    this.#onClosed = onClosed;
    this.#connection = connection;
  }

  /** True while the socket is open; messages arriving after a close started are not handled. */
  get open(): boolean {
    return this.#socket.readyState === this.#socket.OPEN;
  }

  /**
   * Handles one incoming message of `bytes`; reading pauses while MAX_MESSAGES_IN_FLIGHT or
   * MAX_BYTES_IN_FLIGHT are in hand, so TCP flow control holds the client back.
   */
  async handle(bytes: number, work: () => Promise<void>): Promise<void> {
    this.#inFlight++;
    this.#inFlightBytes += bytes;
    if (!this.#paused && (this.#inFlight >= MAX_MESSAGES_IN_FLIGHT || this.#inFlightBytes >= MAX_BYTES_IN_FLIGHT)) {
      this.#paused = true;
      this.#socket.pause();
    }
    try {
      await work();
    } finally {
      this.#inFlight--;
      this.#inFlightBytes -= bytes;
      if (this.#paused && !this.#stopped && this.#inFlight < MAX_MESSAGES_IN_FLIGHT && this.#inFlightBytes < MAX_BYTES_IN_FLIGHT) {
        this.#paused = false;
        this.#socket.resume();
      }
    }
  }

  /** Runs `work` after the previous serial work of this socket (subscribe lookups: up to 1 000 ids each). */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work, work);
    this.#serial = run.catch(() => {});
    return run;
  }

  /**
   * Sends `text` unless the client is too far behind: when what already waits to be sent (text
   * plus QUEUED_MESSAGE_OVERHEAD_BYTES per message) and this text would pass the limit, closes
   * the socket with 1008 instead, and sends nothing more. While the kernel takes everything at
   * once nothing waits, so a client that reads is never closed for one large answer.
   *
   * With a connection to cork, the messages of one turn are held until the next tick and written
   * together (one writev instead of one per message: ~10 % of the API's CPU at 4 000 results/s).
   * What they add counts against the limit as if it waited, except the turn's first message when
   * nothing waited before it, as without the cork; a turn about to hold more than the limit is
   * offered to the kernel first, and judged by what that leaves waiting.
   * @returns whether the text was queued.
   */
  send(text: string): boolean {
    if (!this.open) return false;
    if (this.#connection) return this.#sendCorked(text);
    const waiting = this.#socket.bufferedAmount;
    if (waiting === 0) {
      this.#socket.send(text);
      return true;
    }
    // `text.length` is the byte count for the ASCII JSON we send, a lower bound otherwise.
    const cost = text.length + QUEUED_MESSAGE_OVERHEAD_BYTES;
    if (waiting + this.#queued * QUEUED_MESSAGE_OVERHEAD_BYTES + cost > this.#maxBufferedBytes) return this.#closeNotReading();
    this.#queued++;
    this.#socket.send(text, this.#sent);
    return true;
  }

  #sendCorked(text: string): boolean {
    if (!this.#corked) {
      this.#waitingBeforeTurn = this.#socket.bufferedAmount;
      this.#corked = true;
      this.#connection!.cork();
      process.nextTick(this.#uncork);
    }
    const cost = text.length + QUEUED_MESSAGE_OVERHEAD_BYTES;
    if (this.#turnBytes > 0 && this.#waitingBeforeTurn + this.#queued * QUEUED_MESSAGE_OVERHEAD_BYTES + this.#turnBytes + cost > this.#maxBufferedBytes) {
      // The turn would hold more than the limit: offer what it holds to the kernel now and judge
      // by what that leaves waiting, as without the cork (a client that reads is not closed for
      // a burst the kernel takes).
      this.#connection!.uncork();
      this.#connection!.cork();
      this.#waitingBeforeTurn = this.#socket.bufferedAmount;
      this.#turnBytes = 0;
    }
    const waiting = this.#waitingBeforeTurn;
    if (waiting === 0 && this.#turnBytes === 0) {
      this.#turnBytes = cost;
      this.#socket.send(text);
      return true;
    }
    if (waiting + this.#queued * QUEUED_MESSAGE_OVERHEAD_BYTES + this.#turnBytes + cost > this.#maxBufferedBytes) return this.#closeNotReading();
    this.#turnBytes += cost;
    if (waiting === 0) {
      // Offered to the kernel with the rest of the turn: counted above while held, not after.
      this.#socket.send(text);
    } else {
      this.#queued++;
      this.#socket.send(text, this.#sent);
    }
    return true;
  }

  #closeNotReading(): false {
    this.#socket.close(CLOSE_NOT_READING, 'not reading: too much waiting to be sent (WS_MAX_BUFFERED_BYTES)');
    // And read nothing more from it: what it still sends would only be parsed and dropped
    // (measured: the 1 900 subscribes of 38 KB left in the flood cost +70 MiB in transit).
    // Its close reply goes unread too; ws then ends the socket after its close timeout (30 s).
    this.#stopped = true;
    this.#socket.pause();
    this.#onClosed();
    return false;
  }
}
