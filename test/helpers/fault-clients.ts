/**
 * Clients for fault tests, behaving as a careful user would while processes and Redis come and
 * go: REST submits that report what the API said, pollers that retry through 503s and refused
 * connections, and a WebSocket that reconnects and re-subscribes to what it still waits for.
 * A ledger keeps the exact counts: accepted, completed, failed, missing, duplicate deliveries.
 */
import WebSocket from 'ws';
import type { PredictionRecord, PredictionStatus, WsServerMessage } from '@inferq/contract';

const FINAL: ReadonlySet<PredictionStatus> = new Set(['completed', 'failed', 'expired']);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one submit got: 202 + id, or an error status and code (0 = no answer at all). */
export interface SubmitOutcome {
  status: number;
  id?: string;
  code?: string;
  retryAfter?: string | null;
  ms: number;
}

/** POSTs a prediction once; never throws. */
export async function submitRest(base: string, model: string, body: unknown, headers: Record<string, string> = {}): Promise<SubmitOutcome> {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/v1/models/${model}/predictions`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000),
    });
    const json = (await response.json().catch(() => ({}))) as { id?: string; error?: { code?: string } };
    return { status: response.status, id: json.id, code: json.error?.code, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

/** Long-polls `id` until it is final, riding out 503s and refused connections; undefined past `deadline`. */
export async function pollUntilFinal(base: () => string, id: string, deadline: number): Promise<PredictionRecord | undefined> {
  while (Date.now() < deadline) {
    const wait = Math.max(0, Math.min(5_000, deadline - Date.now()));
    try {
      const response = await fetch(`${base()}/v1/predictions/${id}?wait=${wait}`, { signal: AbortSignal.timeout(wait + 5_000) });
      if (response.status === 200) {
        const record = (await response.json()) as PredictionRecord;
        if (FINAL.has(record.status)) return record;
        continue;
      }
    } catch {
      // the API is restarting or the connection dropped: try again
    }
    await pause(100);
  }
  return undefined;
}

type ResultMessage = Extract<WsServerMessage, { type: 'result' }>;

/**
 * A WebSocket client that reconnects when the server goes away and re-subscribes to every id it
 * was accepted for and has no result of yet. Counts every result message per id.
 */
export class ResilientSocket {
  /** id → result messages received (more than one is a duplicate delivery). */
  readonly deliveries = new Map<string, number>();
  readonly results = new Map<string, ResultMessage>();
  readonly accepted = new Set<string>();
  reconnects = 0;
  #socket!: WebSocket;
  #closed = false;
  #nextRef = 0;
  readonly #url: () => string;
  readonly #pending = new Map<string, (outcome: { id?: string; code?: string }) => void>();

  constructor(url: () => string) {
    this.#url = url;
    this.#connect();
  }

  /** Resolves once a connection is open (bounded polling of the socket's state: reconnects replace it). */
  async ready(): Promise<void> {
    while (!this.#closed && this.#socket.readyState !== WebSocket.OPEN) await pause(20);
  }

  #connect(): void {
    const socket = new WebSocket(this.#url());
    this.#socket = socket;
    socket.once('open', () => {
      const waiting = [...this.accepted].filter((id) => !this.results.has(id));
      for (let i = 0; i < waiting.length; i += 1_000) socket.send(JSON.stringify({ type: 'subscribe', ids: waiting.slice(i, i + 1_000) }));
    });
    socket.on('message', (raw) => this.#onMessage(JSON.parse(raw.toString()) as WsServerMessage));
    socket.on('error', () => {}); // followed by 'close'
    socket.on('close', () => {
      for (const settle of this.#pending.values()) settle({ code: 'CLOSED' }); // unanswered: not accepted as far as we know
      this.#pending.clear();
      if (this.#closed) return;
      this.reconnects++;
      void pause(200).then(() => { if (!this.#closed) this.#connect(); });
    });
  }

  #onMessage(message: WsServerMessage): void {
    if (message.type === 'accepted') {
      this.accepted.add(message.id);
      this.#settle(message.ref, { id: message.id });
    } else if (message.type === 'error') {
      if (message.ref !== undefined && this.#pending.has(message.ref)) this.#settle(message.ref, { code: message.error.code });
    } else {
      this.deliveries.set(message.id, (this.deliveries.get(message.id) ?? 0) + 1);
      if (!this.results.has(message.id)) this.results.set(message.id, message);
    }
  }

  #settle(ref: string | undefined, outcome: { id?: string; code?: string }): void {
    if (ref === undefined) return;
    this.#pending.get(ref)?.(outcome);
    this.#pending.delete(ref);
  }

  /** Sends a predict; resolves with the id when accepted, or the error code (CLOSED: no answer). */
  async predict(model: string, request: unknown): Promise<{ id?: string; code?: string }> {
    await this.ready();
    const ref = `r${this.#nextRef++}`;
    return new Promise((resolve) => {
      this.#pending.set(ref, resolve);
      if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify({ type: 'predict', model, ref, request }));
      else this.#settle(ref, { code: 'CLOSED' });
    });
  }

  /** Resolves when every accepted id has a result, or at `deadline`. */
  async settled(deadline: number): Promise<void> {
    while (Date.now() < deadline && [...this.accepted].some((id) => !this.results.has(id))) await pause(50);
  }

  close(): void {
    this.#closed = true;
    this.#socket.terminate();
  }
}

/** Exact counts over everything accepted (REST 202 and WebSocket `accepted`). */
export interface FaultCounts {
  accepted: number;
  completed: number;
  failed: number;
  expired: number;
  missing: number;
  duplicateDeliveries: number;
}

/** Counts outcomes: `finals` maps each accepted id to its final status (absent = missing). */
export function countOutcomes(accepted: readonly string[], finals: ReadonlyMap<string, PredictionStatus>, sockets: readonly ResilientSocket[]): FaultCounts {
  const counts: FaultCounts = { accepted: accepted.length, completed: 0, failed: 0, expired: 0, missing: 0, duplicateDeliveries: 0 };
  for (const id of accepted) {
    const status = finals.get(id);
    if (status === 'completed') counts.completed++;
    else if (status === 'failed') counts.failed++;
    else if (status === 'expired') counts.expired++;
    else counts.missing++;
  }
  for (const socket of sockets) for (const n of socket.deliveries.values()) counts.duplicateDeliveries += Math.max(0, n - 1);
  return counts;
}
