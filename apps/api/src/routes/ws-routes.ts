import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from 'ws';
import {
  FINAL_STATUSES, InferqError, isPredictionId, MAX_SUBSCRIBE_IDS, newPredictionId, previewValue, wsPredictValidator, wsSubscribeValidator,
  type PredictionRecord, type SchemaProblem, type WsBatchProgressMessage, type WsPredictMessage, type WsServerMessage, type WsSubscribeMessage, type TrafficRoute,
} from '@inferq/contract';
import { BINARY_SECTION } from '../binary-body.js';
import { admitPrediction, admitRequest, principalOf, RateLimitedError, requireScope } from '../auth/access-control.js';
import { ownerOf, viewerOf, type Principal } from '../auth/principal.js';
import { toInferqError } from '../error-handling.js';
import { MAX_WATCHED_PER_SOCKET, SocketBudget, type Corkable } from '../ws-limits.js';
import { isBatchId } from '@inferq/batch-jobs';
import { MAX_BATCH_WATCHES_PER_SOCKET, watchBatchProgress } from '../batches/batch-progress-watch.js';
import { resultPushText } from './ws-result-text.js';

export { MAX_WATCHED_PER_SOCKET };
/** Close code when the socket's API key is revoked (or access control turned on) while it is open. */
export const CLOSE_UNAUTHORIZED = 4401;

/**
 * `GET /ws` (under `/v1`): submit over the socket and get results pushed, or subscribe to ids.
 * Each API process pushes to its own sockets from the shared final-result channel. Any valid key
 * opens the socket; each message checks its own scope (`predict`, `read`).
 */
export const wsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/ws', {
    websocket: true, config: { access: 'authenticated' },
    schema: { tags: ['websocket'], summary: 'WebSocket: predict and subscribe; results are pushed' },
  }, (socket, request) => {
    new PredictionSocket(socket, app, principalOf(request), request.ip, request.log, request.headers, request.raw.socket).attach();
  });
};

/**
 * A problem found by a message's schema: inside `request` it is the inference request's
 * (INVALID_REQUEST, as the HTTP body check answers); elsewhere the message's (INVALID_MESSAGE).
 */
const messageError = (problem: SchemaProblem) =>
  new InferqError(problem.path[0] === 'request' ? 'INVALID_REQUEST' : 'INVALID_MESSAGE', problem.message);

/** A subscribe message waiting for its lookup. */
/** A final record held back until its subscribe is answered, with its announced text (if any). */
interface Final {
  record: PredictionRecord;
  text: string | undefined;
}

interface QueuedSubscribe {
  m: WsSubscribeMessage;
  ref: string | undefined;
}

/** Subscribe messages that share one lookup; `done` settles once all of them are answered. */
interface SubscribeBatch {
  messages: QueuedSubscribe[];
  /** Ids the messages name in all (at most MAX_SUBSCRIBE_IDS). */
  ids: number;
  done: Promise<void>;
}

/** The state of one WebSocket connection. */
class PredictionSocket {
  readonly #socket: WebSocket;
  /** The app, for its services (`predictions`, `predictionEvents`, `metrics`, `accessControl`). */
  readonly #app: FastifyInstance;
  /** The key the connection was opened with (checked on upgrade, re-checked per message). */
  readonly #principal: Principal;
  readonly #clientAddress: string;
  /** The upgrade request's logger: errors of this socket's messages are logged with its request id. */
  readonly #log: FastifyBaseLogger;
  /** id → function that stops listening. */
  readonly #watching = new Map<string, () => void>();
  /** Ids whose result was sent; each result goes out once per socket. */
  readonly #delivered = new Set<string>();
  /** Results that arrived before their `accepted` message went out, or before their owner was checked. */
  readonly #heldBack = new Map<string, Final>();
  readonly #awaitingAccept = new Set<string>();
  /** Batch id → function that stops pushing its progress. */
  readonly #batchWatches = new Map<string, () => void>();
  /** Bounds what this socket may cost (ws-limits.ts). */
  readonly #budget: SocketBudget;
  /** Subscribes waiting for the lookup under way; they share the next one. */
  #nextSubscribes: SubscribeBatch | undefined;

  /** The upgrade request's headers: traffic rules and the `X-Routing-Key` apply to every prediction of the socket. */
  readonly #headers: Readonly<Record<string, string | string[] | undefined>>;

  constructor(
    socket: WebSocket, app: FastifyInstance, principal: Principal, clientAddress: string, log: FastifyBaseLogger,
    headers: Readonly<Record<string, string | string[] | undefined>> = {}, connection?: Corkable,
  ) {
    this.#socket = socket;
    this.#headers = headers;
    this.#budget = new SocketBudget(socket, app.apiConfig, () => app.metrics.connectionsRefused.inc({ reason: 'ws_not_reading' }), connection);
    this.#app = app;
    this.#principal = principal;
    this.#clientAddress = clientAddress;
    this.#log = log;
  }

  attach(): void {
    this.#socket.on('message', (data, isBinary) => {
      if (!this.#budget.open) return; // closing: nothing more will be answered
      void this.#budget.handle((data as Buffer).byteLength, () => this.#onMessage(data as Buffer, isBinary)).catch((error: unknown) => this.#sendError(this.#normalise(error)));
    });
    this.#socket.on('close', () => {
      for (const stop of this.#watching.values()) stop();
      this.#watching.clear();
      for (const stop of [...this.#batchWatches.values()]) stop();
    });
    this.#socket.on('error', () => {}); // a broken socket ends in 'close'; nothing to crash over
  }

  async #onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    // A binary frame is [uint32 LE length of the JSON message][JSON message][raw tensor bytes]:
    // the WebSocket form of the binary data extension (inputs declare parameters.binary_data_size).
    let json = data;
    let binary: Buffer | undefined;
    if (isBinary) {
      const length = data.byteLength >= 4 ? data.readUInt32LE(0) : -1;
      if (length < 2 || 4 + length > data.byteLength) {
        return this.#sendError(new InferqError('INVALID_MESSAGE', 'a binary frame starts with the uint32 little-endian length of its JSON message, then the message, then tensor bytes'));
      }
      json = data.subarray(4, 4 + length);
      binary = data.subarray(4 + length);
    }
    let message: unknown;
    try {
      message = JSON.parse(json.toString('utf8'));
    } catch {
      return this.#sendError(new InferqError('INVALID_MESSAGE', 'message is not valid JSON'));
    }
    if (binary && typeof message === 'object' && message !== null && typeof (message as { request?: unknown }).request === 'object' && (message as { request: unknown }).request !== null) {
      Object.defineProperty((message as { request: object }).request, BINARY_SECTION, { value: binary, enumerable: false });
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return this.#sendError(new InferqError('INVALID_MESSAGE', 'message must be a JSON object with a "type"'));
    }
    const m = message as Record<string, unknown>;
    const ref = typeof m.ref === 'string' ? m.ref.slice(0, 256) : undefined;
    if (!(await this.#app.accessControl.keys.isActive(this.#principal))) {
      this.#socket.close(CLOSE_UNAUTHORIZED, 'API key revoked or required');
      return;
    }
    if (m.type === 'subscribe' && Array.isArray(m.ids) && m.ids.length > MAX_SUBSCRIBE_IDS) {
      return this.#sendError(new InferqError('TOO_MANY_IDS', `"ids" names ${m.ids.length} ids; one subscribe takes at most ${MAX_SUBSCRIBE_IDS}`), ref);
    }
    const validator = m.type === 'predict' ? wsPredictValidator : m.type === 'subscribe' ? wsSubscribeValidator : undefined;
    if (!validator) return this.#sendError(new InferqError('INVALID_MESSAGE', `unknown message type ${previewValue(m.type)}; expected "predict" or "subscribe"`), ref);
    const problem = validator.explain(m);
    if (problem) return this.#sendError(messageError(problem), ref);
    if (m.type === 'predict') return this.#predict(m as WsPredictMessage, ref);
    return this.#queueSubscribe(m as WsSubscribeMessage, ref);
  }

  /**
   * One subscribe lookup at a time per socket (none once the socket is closing); the subscribes
   * that arrive meanwhile share the next lookup, up to MAX_SUBSCRIBE_IDS ids in all, so a client
   * that subscribes to each id it is given (REST + push) costs one Redis round trip per lookup,
   * not one per message.
   */
  #queueSubscribe(m: WsSubscribeMessage, ref: string | undefined): Promise<void> {
    const next = this.#nextSubscribes;
    if (next && next.ids + m.ids.length <= MAX_SUBSCRIBE_IDS) {
      next.messages.push({ m, ref });
      next.ids += m.ids.length;
      return next.done;
    }
    const batch: SubscribeBatch = { messages: [{ m, ref }], ids: m.ids.length, done: Promise.resolve() };
    this.#nextSubscribes = batch;
    batch.done = this.#budget.serial(async () => {
      if (this.#nextSubscribes === batch) this.#nextSubscribes = undefined; // it takes no more
      if (this.#budget.open) await this.#subscribe(batch.messages);
    });
    return batch.done;
  }

  async #predict(m: WsPredictMessage, ref: string | undefined): Promise<void> {
    if (this.#watching.size >= MAX_WATCHED_PER_SOCKET) {
      return this.#sendError(new InferqError('INVALID_MESSAGE', `this socket already waits on ${MAX_WATCHED_PER_SOCKET} predictions`), ref);
    }
    try {
      requireScope(this.#principal, 'predict');
      await admitPrediction(this.#app.accessControl, this.#principal, this.#clientAddress);
    } catch (error) {
      return this.#sendError(this.#normalise(error), ref);
    }
    // Listen before the job exists so even an instant result is not missed; hold it until 'accepted' is out.
    const id = newPredictionId();
    this.#awaitingAccept.add(id);
    this.#watch(id);
    try {
      const accepted = await this.#app.predictions.submit(m.model, m.version, m.request, id, { owner: ownerOf(this.#principal), headers: this.#headers });
      this.#app.metrics.countSubmitted(accepted.model, accepted.version, 'ws');
      this.#send({ type: 'accepted', id, model: accepted.model, version: accepted.version, ...(ref !== undefined ? { ref } : {}) });
    } catch (error) {
      this.#unwatch(id);
      const normalised = this.#normalise(error);
      this.#app.metrics.rejected.inc({ code: normalised.code });
      return this.#sendError(normalised, ref);
    } finally {
      this.#awaitingAccept.delete(id);
    }
    const held = this.#heldBack.get(id);
    if (held) {
      this.#heldBack.delete(id);
      this.#deliver(held.record, held.text);
    }
  }

  /** Handles subscribe messages in order, their prediction ids read in one lookup. */
  async #subscribe(messages: readonly QueuedSubscribe[]): Promise<void> {
    const wanted: string[] = [];
    const refs: Array<string | undefined> = [];
    for (const { m, ref } of messages) {
      try {
        requireScope(this.#principal, 'read');
        await admitRequest(this.#app.accessControl, this.#principal, this.#clientAddress, 'subscribes');
      } catch (error) {
        this.#sendError(this.#normalise(error), ref);
        continue;
      }
      for (const id of new Set(m.ids)) {
        if (isBatchId(id)) {
          this.#watchBatch(id, ref);
        } else if (!isPredictionId(id)) {
          this.#sendError(new InferqError('INVALID_PREDICTION_ID', `"${id.slice(0, 64)}" is not a prediction id`), ref, id);
        } else if (this.#delivered.has(id) || this.#watching.has(id)) {
          continue;
        } else if (this.#watching.size >= MAX_WATCHED_PER_SOCKET) {
          this.#sendError(new InferqError('TOO_MANY_IDS', `this socket already waits on ${MAX_WATCHED_PER_SOCKET} predictions`), ref, id);
        } else {
          // Listen before reading, so a result written in between still arrives, but hold it back
          // until the read has shown the caller may see this prediction.
          this.#awaitingAccept.add(id);
          this.#watch(id);
          wanted.push(id);
          refs.push(ref);
        }
      }
    }
    if (wanted.length === 0) return;
    let records: Array<PredictionRecord | undefined>;
    try {
      records = await this.#app.predictions.getMany(wanted, viewerOf(this.#principal)); // one round trip for all
    } catch (error) {
      const normalised = this.#normalise(error);
      wanted.forEach((id, i) => {
        this.#release(id);
        this.#unwatch(id);
        this.#sendError(normalised, refs[i], id);
      });
      return;
    }
    wanted.forEach((id, i) => {
      const held = this.#release(id);
      const record = records[i];
      if (!record) {
        this.#unwatch(id);
        this.#sendError(new InferqError('PREDICTION_NOT_FOUND', `prediction "${id}" does not exist or its result has expired`), refs[i], id);
      } else if (held) {
        this.#deliver(held.record, held.text);
      } else if (FINAL_STATUSES.has(record.status)) {
        this.#deliver(record);
      }
    });
  }

  /** Pushes a batch's progress (at most every 500 ms) until it is final; see batch-progress-watch.ts. */
  #watchBatch(id: string, ref: string | undefined): void {
    if (this.#batchWatches.has(id)) return;
    if (this.#batchWatches.size >= MAX_BATCH_WATCHES_PER_SOCKET) {
      this.#sendError(new InferqError('TOO_MANY_IDS', `this socket already watches ${MAX_BATCH_WATCHES_PER_SOCKET} batches`), ref, id);
      return;
    }
    this.#batchWatches.set(id, watchBatchProgress(
      this.#app.batchJobs.store, id, viewerOf(this.#principal),
      (message) => this.#send(message),
      (error) => this.#sendError(this.#normalise(error), ref, id),
      () => this.#batchWatches.delete(id),
    ));
  }

  /** Ends the hold on `id`'s result; returns the result that arrived meanwhile, if any. */
  #release(id: string): Final | undefined {
    this.#awaitingAccept.delete(id);
    const held = this.#heldBack.get(id);
    this.#heldBack.delete(id);
    return held;
  }

  #watch(id: string): void {
    // The event is pushed field by field (never its `origin`), or spliced from its text (see ws-result-text.ts).
    const stop = this.#app.predictionEvents.onFinal(id, (record, text) => {
      this.#watching.delete(id);
      if (this.#awaitingAccept.has(id)) this.#heldBack.set(id, { record, text });
      else this.#deliver(record, text);
    });
    this.#watching.set(id, stop);
  }

  #unwatch(id: string): void {
    this.#watching.get(id)?.();
    this.#watching.delete(id);
  }

  /** @param text - the record's final event as announced, when it came that way: see resultPushText. */
  #deliver(record: PredictionRecord, text?: string): void {
    if (this.#delivered.has(record.id)) return;
    this.#delivered.add(record.id);
    if (this.#delivered.size > MAX_WATCHED_PER_SOCKET) {
      // Bounded memory on long-lived sockets: forget the oldest delivered id.
      this.#delivered.delete(this.#delivered.values().next().value!);
    }
    this.#unwatch(record.id);
    const spliced = resultPushText(record, text);
    if (spliced !== undefined) {
      if (this.#budget.open) this.#budget.send(spliced);
    } else if (record.status === 'completed' && record.result) {
      this.#send({ type: 'result', id: record.id, status: 'completed', result: record.result, timings: record.timings, ...served(record), ...(record.cached ? { cached: true as const } : {}) });
    } else if (record.status === 'failed' || record.status === 'expired') {
      this.#send({ type: 'result', id: record.id, status: record.status, error: record.error ?? { code: 'INTERNAL_ERROR', message: record.status }, timings: record.timings, ...served(record) });
    }
  }

  /** As the HTTP error handler: anything unexpected becomes INTERNAL_ERROR and is logged with its stack. */
  #normalise(error: unknown): InferqError {
    const normalised = toInferqError(error);
    if (normalised.code === 'INTERNAL_ERROR') this.#log.error({ err: error }, 'unhandled error on WebSocket message');
    return normalised;
  }

  #sendError(error: InferqError, ref?: string, id?: string): void {
    this.#send({
      type: 'error', error: { code: error.code, message: error.message }, ...(ref !== undefined ? { ref } : {}), ...(id !== undefined ? { id } : {}),
      ...(error instanceof RateLimitedError ? { retryAfterMs: error.retryAfterMs } : {}),
    });
  }

  #send(message: WsServerMessage | WsBatchProgressMessage): void {
    if (this.#budget.open) this.#budget.send(JSON.stringify(message));
  }
}

/** The version that served a prediction and why (never its shadow outcome: that is REST only). */
function served(record: PredictionRecord): { version: string; route?: TrafficRoute } {
  return record.route === undefined ? { version: record.version } : { version: record.version, route: record.route };
}
