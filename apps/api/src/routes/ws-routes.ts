import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import {
  FINAL_STATUSES, InferqError, isPredictionId, newPredictionId,
  type PredictionRecord, type WsServerMessage,
} from '@inferq/contract';
import type { ApiContext } from '../api-context.js';
import { toInferqError } from '../error-handling.js';

/** Most ids one `subscribe` message may name. */
export const MAX_SUBSCRIBE_IDS = 1_000;
/** Most ids one socket may wait on at once. */
export const MAX_WATCHED_PER_SOCKET = 10_000;

/**
 * `GET /v1/ws`: submit over the socket and get results pushed, or subscribe to ids.
 * Each API process pushes to its own sockets from the shared final-result channel.
 */
export function wsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/v1/ws', { websocket: true, schema: { tags: ['websocket'], summary: 'WebSocket: predict and subscribe; results are pushed' } }, (socket) => {
    new PredictionSocket(socket, ctx).attach();
  });
}

/** The state of one WebSocket connection. */
class PredictionSocket {
  readonly #socket: WebSocket;
  readonly #ctx: ApiContext;
  /** id → function that stops listening. */
  readonly #watching = new Map<string, () => void>();
  /** Ids whose result was sent; each result goes out once per socket. */
  readonly #delivered = new Set<string>();
  /** Results that arrived before their `accepted` message went out. */
  readonly #heldBack = new Map<string, PredictionRecord>();
  readonly #awaitingAccept = new Set<string>();

  constructor(socket: WebSocket, ctx: ApiContext) {
    this.#socket = socket;
    this.#ctx = ctx;
  }

  attach(): void {
    this.#socket.on('message', (data, isBinary) => {
      void this.#onMessage(data as Buffer, isBinary).catch((error: unknown) => this.#sendError(toInferqError(error)));
    });
    this.#socket.on('close', () => {
      for (const stop of this.#watching.values()) stop();
      this.#watching.clear();
    });
    this.#socket.on('error', () => {}); // a broken socket ends in 'close'; nothing to crash over
  }

  async #onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) return this.#sendError(new InferqError('INVALID_MESSAGE', 'binary frames are not accepted; send JSON text'));
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return this.#sendError(new InferqError('INVALID_MESSAGE', 'message is not valid JSON'));
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return this.#sendError(new InferqError('INVALID_MESSAGE', 'message must be a JSON object with a "type"'));
    }
    const m = message as Record<string, unknown>;
    const ref = typeof m.ref === 'string' ? m.ref.slice(0, 256) : undefined;
    if (m.type === 'predict') return this.#predict(m, ref);
    if (m.type === 'subscribe') return this.#subscribe(m, ref);
    return this.#sendError(new InferqError('INVALID_MESSAGE', `unknown message type ${JSON.stringify(m.type)?.slice(0, 40)}; expected "predict" or "subscribe"`), ref);
  }

  async #predict(m: Record<string, unknown>, ref: string | undefined): Promise<void> {
    if (typeof m.model !== 'string') return this.#sendError(new InferqError('INVALID_MESSAGE', '"model" must be a string'), ref);
    if (m.version !== undefined && typeof m.version !== 'string') return this.#sendError(new InferqError('INVALID_MESSAGE', '"version" must be a string'), ref);
    if (this.#watching.size >= MAX_WATCHED_PER_SOCKET) {
      return this.#sendError(new InferqError('INVALID_MESSAGE', `this socket already waits on ${MAX_WATCHED_PER_SOCKET} predictions`), ref);
    }
    // Listen before the job exists so even an instant result is not missed; hold it until 'accepted' is out.
    const id = newPredictionId();
    this.#awaitingAccept.add(id);
    this.#watch(id);
    try {
      const accepted = await this.#ctx.service.submit(m.model, m.version as string | undefined, m.request, id);
      this.#ctx.metrics.submitted.inc({ model: accepted.model, version: accepted.version, transport: 'ws' });
      this.#send({ type: 'accepted', id, model: accepted.model, version: accepted.version, ...(ref !== undefined ? { ref } : {}) });
    } catch (error) {
      this.#unwatch(id);
      const normalised = toInferqError(error);
      this.#ctx.metrics.rejected.inc({ code: normalised.code });
      return this.#sendError(normalised, ref);
    } finally {
      this.#awaitingAccept.delete(id);
    }
    const held = this.#heldBack.get(id);
    if (held) {
      this.#heldBack.delete(id);
      this.#deliver(held);
    }
  }

  async #subscribe(m: Record<string, unknown>, ref: string | undefined): Promise<void> {
    if (!Array.isArray(m.ids) || m.ids.length > MAX_SUBSCRIBE_IDS || m.ids.some((id) => typeof id !== 'string')) {
      return this.#sendError(new InferqError('INVALID_MESSAGE', `"ids" must be an array of at most ${MAX_SUBSCRIBE_IDS} strings`), ref);
    }
    await Promise.all((m.ids as string[]).map(async (id) => {
      if (!isPredictionId(id)) return this.#sendError(new InferqError('INVALID_PREDICTION_ID', `"${id.slice(0, 64)}" is not a prediction id`), ref, id);
      if (this.#delivered.has(id) || this.#watching.has(id)) return;
      if (this.#watching.size >= MAX_WATCHED_PER_SOCKET) {
        return this.#sendError(new InferqError('INVALID_MESSAGE', `this socket already waits on ${MAX_WATCHED_PER_SOCKET} predictions`), ref, id);
      }
      this.#watch(id); // before reading, so a result written in between still arrives
      try {
        const record = await this.#ctx.service.get(id);
        if (FINAL_STATUSES.has(record.status)) this.#deliver(record);
      } catch (error) {
        this.#unwatch(id);
        this.#sendError(toInferqError(error), ref, id);
      }
    }));
  }

  #watch(id: string): void {
    const stop = this.#ctx.events.onFinal(id, ({ origin: _origin, ...record }) => {
      this.#watching.delete(id);
      if (this.#awaitingAccept.has(id)) this.#heldBack.set(id, record);
      else this.#deliver(record);
    });
    this.#watching.set(id, stop);
  }

  #unwatch(id: string): void {
    this.#watching.get(id)?.();
    this.#watching.delete(id);
  }

  #deliver(record: PredictionRecord): void {
    if (this.#delivered.has(record.id)) return;
    this.#delivered.add(record.id);
    if (this.#delivered.size > MAX_WATCHED_PER_SOCKET) {
      // Bounded memory on long-lived sockets: forget the oldest delivered id.
      this.#delivered.delete(this.#delivered.values().next().value!);
    }
    this.#unwatch(record.id);
    if (record.status === 'completed' && record.result) {
      this.#send({ type: 'result', id: record.id, status: 'completed', result: record.result, timings: record.timings });
    } else if (record.status === 'failed') {
      this.#send({ type: 'result', id: record.id, status: 'failed', error: record.error ?? { code: 'INTERNAL_ERROR', message: 'failed' }, timings: record.timings });
    }
  }

  #sendError(error: InferqError, ref?: string, id?: string): void {
    this.#send({ type: 'error', error: { code: error.code, message: error.message }, ...(ref !== undefined ? { ref } : {}), ...(id !== undefined ? { id } : {}) });
  }

  #send(message: WsServerMessage): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(JSON.stringify(message));
  }
}
