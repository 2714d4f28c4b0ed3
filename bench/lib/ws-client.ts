import WebSocket from 'ws';

/**
 * One WebSocket connection multiplexing many requests: `predict` sends a predict message and
 * resolves when its pushed result arrives; `subscribe` waits for the push of an id submitted elsewhere.
 */
export class PushClient {
  readonly #socket: WebSocket;
  readonly #byRef = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  readonly #byId = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  #next = 0;
  /** Set once the socket closed: later requests fail at once (ws drops what is sent on a closed socket). */
  #closed: Error | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (raw) => this.#onMessage(raw.toString()));
    // A closed connection answers nothing more: fail what waits on it instead of hanging.
    socket.on('close', (code) => {
      const error = (this.#closed = new Error(`push socket closed (${code})`));
      for (const waiter of [...this.#byRef.values(), ...this.#byId.values()]) waiter.reject(error);
      this.#byRef.clear();
      this.#byId.clear();
    });
  }

  static async connect(url: string): Promise<PushClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new PushClient(socket);
  }

  /**
   * A predict message with its request already serialised: `predict` only appends the ref, so the
   * load generator spends no CPU on JSON per request (it must not hide the service's cost).
   */
  encodePredict(model: string, requestJson: string): string {
    return `{"type":"predict","model":${JSON.stringify(model)},"request":${requestJson},"ref":"`;
  }

  /** Sends an `encodePredict` message and resolves when its result has been pushed. */
  predict(encoded: string): Promise<void> {
    const ref = `r${this.#next++}`;
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      this.#byRef.set(ref, { resolve, reject });
      this.#socket.send(`${encoded}${ref}"}`);
    });
  }

  /** Sends a binary predict frame ([u32 LE JSON length][JSON][tensor bytes]) and waits for its pushed result. */
  predictBinary(frame: { json: Record<string, unknown>; tensor: Buffer }): Promise<void> {
    const ref = `r${this.#next++}`;
    const json = Buffer.from(JSON.stringify({ ...frame.json, ref }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.byteLength);
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      this.#byRef.set(ref, { resolve, reject });
      this.#socket.send(Buffer.concat([length, json, frame.tensor]), { binary: true });
    });
  }

  /** Waits for the result of an id submitted over REST. */
  subscribe(id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      this.#byId.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ type: 'subscribe', ids: [id] }));
    });
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text) as { type: string; id?: string; ref?: string; status?: string; error?: { code: string } };
    if (message.type === 'accepted' && message.ref) {
      const waiter = this.#byRef.get(message.ref);
      this.#byRef.delete(message.ref);
      if (waiter && message.id) this.#byId.set(message.id, waiter);
      return;
    }
    if (message.type === 'error') {
      const waiter = (message.ref ? this.#byRef.get(message.ref) : undefined) ?? (message.id ? this.#byId.get(message.id) : undefined);
      if (message.ref) this.#byRef.delete(message.ref);
      if (message.id) this.#byId.delete(message.id);
      waiter?.reject(new Error(`push error ${message.error?.code ?? '(no code)'}`));
      return;
    }
    if (message.type === 'result' && message.id) {
      const waiter = this.#byId.get(message.id);
      this.#byId.delete(message.id);
      if (!waiter) return;
      if (message.status === 'completed') waiter.resolve();
      else waiter.reject(new Error(`push result ${message.status ?? '(no status)'} ${message.error?.code ?? '(no code)'}`));
    }
  }

  close(): void {
    this.#socket.close();
  }
}
