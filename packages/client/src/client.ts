/**
 * The inferq client: submit over REST (or the WebSocket), results pushed over one shared
 * WebSocket with long-poll as the fallback, each result delivered once per call.
 *
 * Lifetimes: a call holds one of `maxInFlight` slots from its start to its end (a `predict`
 * from submit to result); every call ends by its deadline (`timeoutMs`) or its AbortSignal.
 * `close()` settles everything still pending with CLIENT_CLOSED and is idempotent.
 */
import type { InferenceRequest, PredictionRecord } from '@inferq/contract';
import { DeadLettersApi, exportLog, KeysApi, ModelsApi, type CallOptions, type LogExportOptions } from './admin-api.js';
import { backoffDelay } from './backoff.js';
import { concatBinary, encodeRequest, estimatedJsonBytes, type EncodedRequest } from './binary-encoding.js';
import { delay, raceDeadline, startDeadline, type Deadline } from './deadline.js';
import { InferqClientError, isRetryableRefusal } from './errors.js';
import { HttpTransport, neverReachedServer } from './http.js';
import { isInferenceRequest, toTensors, type PredictInputs } from './inputs.js';
import { resolveOptions, type InferqClientOptions, type ResolvedOptions } from './options.js';
import { PushConnection, type PushStats } from './push-connection.js';
import { ResultRouter, type Outcome, type RouterStats } from './result-router.js';
import { Semaphore } from './semaphore.js';
import type { SocketFactory } from './socket.js';
import type { FinalPrediction, PredictionResult, Submitted } from './types.js';

const FINAL = new Set(['completed', 'failed', 'expired']);
/** `subscribe` errors that answer for the id itself; others are transient. */
const DEFINITE_ID_ERRORS: ReadonlySet<string> = new Set(['PREDICTION_NOT_FOUND', 'INVALID_PREDICTION_ID', 'FORBIDDEN', 'UNAUTHORIZED']);

/** Options of `submit` and `predict`. */
export interface SubmitOptions extends CallOptions {
  /** Model version. @defaultValue the highest served */
  version?: string;
  /** Your own request id, echoed as the result's `id`. */
  requestId?: string;
  /** Outputs to return. @defaultValue all */
  outputs?: string[];
  /** `high`, `normal`, `low`, or 1–1000 (lower runs first). @defaultValue 'normal' */
  priority?: 'high' | 'normal' | 'low' | number;
  /** Server-side deadline (`parameters.timeout_ms`): not run if still queued after this many ms. @defaultValue the server's DEFAULT_TIMEOUT_MS */
  deadlineMs?: number;
  /** More request parameters. */
  parameters?: Record<string, unknown>;
  /** Binary data extension: `auto` above the client's binaryThresholdBytes. @defaultValue 'auto' */
  binary?: boolean | 'auto';
}

/** Options of `predict`. */
export interface PredictOptions extends SubmitOptions {
  /** Submit over REST (`http`) or as a WebSocket `predict` message (`ws`). @defaultValue 'http' */
  submitOver?: 'http' | 'ws';
}

/** One item of `watch`: the final prediction, or why the id cannot be watched. */
export type WatchItem = { id: string; prediction: FinalPrediction; error?: undefined } | { id: string; prediction?: undefined; error: InferqClientError };

/** Counters for diagnostics and tests. */
export interface ClientStats extends RouterStats, PushStats {
  /** Calls holding a slot now. */
  inFlight: number;
  /** Calls waiting for a slot. */
  queued: number;
  /** Submits sent again after a refusal that queued nothing. */
  submitRetries: number;
  /** Long-poll requests sent (the fallback when no socket). */
  longPolls: number;
}

export class InferqClient {
  /** Models, their metadata and run-time batching settings. */
  readonly models: ModelsApi;
  /** API keys (admin). */
  readonly keys: KeysApi;
  /** Failed predictions kept for retry (admin). */
  readonly deadLetters: DeadLettersApi;
  readonly #options: ResolvedOptions;
  readonly #http: HttpTransport;
  readonly #router = new ResultRouter();
  readonly #push: PushConnection;
  readonly #slots: Semaphore;
  readonly #polling = new Set<string>();
  readonly #closing = new AbortController();
  /** Calls under way, ended by close() (one set rather than a listener per call on one signal). */
  readonly #active = new Set<{ cancel(error: InferqClientError): void }>();
  readonly #usePolling: boolean;
  #submitRetries = 0;
  #longPolls = 0;

  /** Use `createClient` from the package's entry (it supplies the platform's WebSocket); `defaultSocket` undefined = long-poll only. */
  constructor(options: InferqClientOptions, defaultSocket?: SocketFactory) {
    this.#options = resolveOptions(options);
    const headers: Record<string, string> = this.#options.apiKey === undefined ? {} : { 'x-api-key': this.#options.apiKey };
    this.#http = new HttpTransport(this.#options.url, headers, this.#options.fetch);
    this.#slots = new Semaphore(this.#options.maxInFlight);
    const factory = options.webSocket ?? defaultSocket;
    this.#usePolling = this.#options.results === 'poll' || factory === undefined;
    this.#push = new PushConnection({
      url: this.#options.wsUrl, headers, factory: factory ?? (() => { throw new Error('no WebSocket implementation'); }),
      backoff: this.#options.reconnect,
      pendingIds: () => this.#router.ids(),
      onResult: (prediction) => this.#router.deliver(prediction),
      onIdError: (id, error) => {
        // Only a definite answer about the id ends the wait; anything else (Redis unreachable
        // behind the API, an internal error) says nothing about it: long-poll, which rides out 503s.
        if (DEFINITE_ID_ERRORS.has(error.code)) this.#router.fail(id, error);
        else this.#startPolling(id);
      },
      onGiveUp: () => {
        // The socket cannot be had: long-poll what is pending; new calls try the socket again.
        for (const id of [...this.#router.ids()]) this.#startPolling(id);
      },
    });
    const run = this.#run.bind(this) as <T>(what: string, call: (signal: AbortSignal) => Promise<T>, o?: CallOptions) => Promise<T>;
    this.models = new ModelsApi(this.#http, run);
    this.keys = new KeysApi(this.#http, run);
    this.deadLetters = new DeadLettersApi(this.#http, run);
  }

  /** Counters: deliveries, dropped duplicates, (re)connects, re-subscribed ids, retries, slots. */
  get stats(): ClientStats {
    return {
      ...this.#router.stats, ...this.#push.stats,
      inFlight: this.#slots.inFlight, queued: this.#slots.queued, submitRetries: this.#submitRetries, longPolls: this.#longPolls,
    };
  }

  /**
   * Runs a prediction and resolves with its result. Rejects with an {@link InferqClientError}:
   * the server's code when it refused the request or the prediction failed or expired
   * (`predictionId` set), or a client code (CLIENT_TIMEOUT, ABORTED, CONNECTION_FAILED,
   * CONNECTION_LOST, CLIENT_CLOSED).
   */
  async predict(model: string, inputs: PredictInputs, options: PredictOptions = {}): Promise<PredictionResult> {
    let id: string | undefined;
    const deadline = this.#deadline(options, `predict on ${model}`, () => id);
    try {
      const release = await this.#slots.acquire(deadline);
      try {
        const encoded = this.#encode(inputs, options);
        let final: FinalPrediction;
        if (options.submitOver === 'ws' && !this.#usePolling) this.#push.ensure();
        // A socket that could not be had (given up, cooling down): submit over REST instead.
        let sentOverSocket = false;
        if (options.submitOver === 'ws' && !this.#usePolling && this.#push.state !== 'failed') {
          let tracked: Promise<Outcome> | undefined;
          let cancel = () => {};
          try {
            const send = () => raceDeadline(this.#push.predict((ref) => this.#wsFrame(model, options.version, ref, encoded), (acceptedId) => {
              // Runs inside the 'accepted' message handler, so a result in the same read is not missed.
              ({ promise: tracked, cancel } = this.#track(acceptedId, false));
            }), deadline);
            const accepted = await this.#retryRefusals(send, deadline);
            sentOverSocket = true;
            id = accepted.id;
            final = await this.#outcome(tracked!, deadline);
          } catch (error) {
            // CONNECTION_FAILED here means no socket could be opened, so nothing was sent: use REST.
            // (A socket lost after sending is CONNECTION_LOST: its fate is unknown, never re-sent.)
            if (sentOverSocket || !(error instanceof InferqClientError) || error.code !== 'CONNECTION_FAILED') throw error;
            id = (await this.#submitWithRetry(model, encoded, options, deadline)).id;
            final = await this.#awaitFinal(id, deadline);
          } finally {
            cancel();
          }
        } else {
          id = (await this.#submitWithRetry(model, encoded, options, deadline)).id;
          final = await this.#awaitFinal(id, deadline);
        }
        return toResult(final);
      } finally {
        release();
      }
    } finally {
      deadline.dispose();
    }
  }

  /** Queues a prediction over REST and resolves with its id (`202`), retrying refusals that queued nothing. */
  async submit(model: string, inputs: PredictInputs, options: SubmitOptions = {}): Promise<Submitted> {
    return this.#run(`submit to ${model}`, (_signal, deadline) => this.#submitWithRetry(model, this.#encode(inputs, options), options, deadline), options);
  }

  /** Reads a prediction's record; `waitMs` long-polls until it ends or the wait runs out (capped by the server). */
  get(id: string, options: CallOptions & { waitMs?: number } = {}): Promise<PredictionRecord> {
    const query = options.waitMs === undefined ? '' : `?wait=${options.waitMs}`;
    return this.#run(`get ${id}`, (signal) => this.#http.json<PredictionRecord>(`/v1/predictions/${encodeURIComponent(id)}${query}`, { signal }), options);
  }

  /** Waits for a submitted prediction to end (push, long-poll fallback) and resolves with it, failed ones included. */
  async wait(id: string, options: CallOptions = {}): Promise<FinalPrediction> {
    const deadline = this.#deadline(options, `wait for ${id}`, () => id);
    try {
      return await this.#awaitFinal(id, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Yields each id's final prediction once, in the order they end (an id that cannot be
   * watched yields its error). Ends when every id was yielded; `timeoutMs` bounds the whole watch.
   * Breaking out of the loop stops watching the rest.
   */
  async *watch(ids: Iterable<string>, options: CallOptions = {}): AsyncGenerator<WatchItem> {
    const unique = [...new Set(ids)];
    const deadline = this.#deadline(options, `watch ${unique.length} predictions`);
    const ready: WatchItem[] = [];
    let wake: (() => void) | undefined;
    const cancels = unique.map((id) => {
      const { promise, cancel } = this.#track(id, true);
      void promise.then((outcome) => {
        ready.push(outcome.prediction ? { id, prediction: outcome.prediction } : { id, error: outcome.error! });
        wake?.();
      });
      return cancel;
    });
    try {
      for (let yielded = 0; yielded < unique.length;) {
        if (ready.length === 0) {
          await raceDeadline(new Promise<void>((resolve) => { wake = resolve; }), deadline);
          wake = undefined;
        }
        while (ready.length > 0) {
          yielded++;
          yield ready.shift()!;
        }
      }
    } finally {
      for (const cancel of cancels) cancel();
      deadline.dispose();
    }
  }

  /** Streams the prediction log (JSON Lines, admin); bounded by `limit` and the signal, not by timeoutMs. */
  exportLog(options: LogExportOptions = {}): AsyncGenerator<import('@inferq/contract').ExportedPredictionLogEntry> {
    return exportLog(this.#http, options);
  }

  /** Stops: the socket closes, pending calls reject with CLIENT_CLOSED. Idempotent. */
  close(): void {
    if (this.#closing.signal.aborted) return;
    const error = new InferqClientError('CLIENT_CLOSED', 'the client was closed');
    this.#closing.abort(error);
    for (const call of this.#active) call.cancel(error);
    this.#active.clear();
    this.#push.close();
    this.#router.failAll(error);
  }

  #deadline(options: CallOptions, what: string, id?: () => string | undefined): Deadline {
    if (this.#closing.signal.aborted) throw new InferqClientError('CLIENT_CLOSED', 'the client was closed');
    const deadline = startDeadline(options.timeoutMs ?? this.#options.timeoutMs, options.signal, what, id);
    this.#active.add(deadline);
    return {
      ...deadline,
      dispose: () => {
        this.#active.delete(deadline);
        deadline.dispose();
      },
    };
  }

  /** A call that holds a slot and ends by its deadline. */
  async #run<T>(what: string, call: (signal: AbortSignal, deadline: Deadline) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const deadline = this.#deadline(options, what);
    try {
      const release = await this.#slots.acquire(deadline);
      try {
        return await raceDeadline(call(deadline.signal, deadline), deadline);
      } finally {
        release();
      }
    } finally {
      deadline.dispose();
    }
  }

  #encode(inputs: PredictInputs, options: SubmitOptions): EncodedRequest {
    const tensors = toTensors(inputs);
    const parameters: Record<string, unknown> = {
      ...(isInferenceRequest(inputs) ? inputs.parameters : undefined),
      ...options.parameters,
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.deadlineMs !== undefined ? { timeout_ms: options.deadlineMs } : {}),
    };
    const request = isInferenceRequest(inputs) ? inputs : undefined;
    const outputs = options.outputs?.map((name) => ({ name })) ?? request?.outputs;
    const requestId = options.requestId ?? request?.id;
    const binary = options.binary === true || ((options.binary ?? 'auto') === 'auto' && estimatedJsonBytes(tensors) > this.#options.binaryThresholdBytes);
    return encodeRequest(tensors, {
      ...(requestId !== undefined ? { id: requestId } : {}),
      ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
      ...(outputs ? { outputs } : {}),
    }, binary);
  }

  #wsFrame(model: string, version: string | undefined, ref: string, encoded: EncodedRequest): string | Uint8Array {
    const message = { type: 'predict', model, ...(version !== undefined ? { version } : {}), ref, request: encoded.request };
    return encoded.sections.length === 0 ? JSON.stringify(message) : concatBinary(message, encoded.sections, true).body;
  }

  async #submitWithRetry(model: string, encoded: EncodedRequest, options: SubmitOptions, deadline: Deadline): Promise<Submitted> {
    const path = options.version === undefined
      ? `/v1/models/${encodeURIComponent(model)}/predictions`
      : `/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(options.version)}/predictions`;
    const call = encoded.sections.length === 0
      ? { method: 'POST', json: encoded.request }
      : (() => {
        const { body, headerLength } = concatBinary(encoded.request, encoded.sections, false);
        return { method: 'POST', body: { bytes: body, contentType: 'application/octet-stream' }, headers: { 'inference-header-content-length': String(headerLength) } };
      })();
    return this.#retryRefusals(() => this.#http.json<Submitted>(path, { ...call, signal: deadline.signal }), deadline);
  }

  /** Sends again, up to submitRetries times, what was refused with nothing queued (503, 429, connection refused). */
  async #retryRefusals<T>(send: () => Promise<T>, deadline: Deadline): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const retryable = isRetryableRefusal(error) || neverReachedServer(error);
        if (!retryable || attempt > this.#options.submitRetries) throw error;
        this.#submitRetries++;
        const asked = (error as InferqClientError).retryAfterMs ?? 0;
        await delay(Math.max(asked, backoffDelay(attempt, this.#options.reconnect)), deadline);
      }
    }
  }

  /** Registers interest in `id`'s result; `subscribe` asks the server for it (false when a `predict` on the socket already did). */
  #track(id: string, subscribe: boolean): { promise: Promise<Outcome>; cancel(): void } {
    let resolve!: (outcome: Outcome) => void;
    const promise = new Promise<Outcome>((r) => { resolve = r; });
    // The server pushes an id's result once per socket: an id this client already got (asked
    // again, or retried after failing) is read over HTTP instead.
    const again = this.#router.wasDelivered(id);
    const { cancel, isNew } = this.#router.wait(id, resolve);
    if (isNew) {
      if (again || this.#usePolling || this.#push.state === 'failed') {
        this.#startPolling(id);
        if (!this.#usePolling) this.#push.ensure(); // after the cool-down: try the socket again
      }
      else if (subscribe) this.#push.subscribe(id);
      else this.#push.ensure();
    }
    return { promise, cancel };
  }

  async #awaitFinal(id: string, deadline: Deadline): Promise<FinalPrediction> {
    const { promise, cancel } = this.#track(id, true);
    try {
      return await this.#outcome(promise, deadline);
    } finally {
      cancel();
    }
  }

  async #outcome(promise: Promise<Outcome>, deadline: Deadline): Promise<FinalPrediction> {
    const outcome = await raceDeadline(promise, deadline);
    if (outcome.error) throw outcome.error;
    return outcome.prediction;
  }

  /** Long-polls `id` while someone waits on it; rides out 503s and refused connections with back-off. */
  #startPolling(id: string): void {
    if (this.#polling.has(id) || this.#closing.signal.aborted) return;
    this.#polling.add(id);
    void (async () => {
      let failures = 0;
      try {
        while (this.#router.has(id) && !this.#closing.signal.aborted) {
          this.#longPolls++;
          const poll = new AbortController();
          const timer = setTimeout(() => poll.abort(), this.#options.longPollMs + 10_000);
          const call = { cancel: () => poll.abort() };
          this.#active.add(call);
          try {
            const record = await this.#http.json<PredictionRecord>(`/v1/predictions/${encodeURIComponent(id)}?wait=${this.#options.longPollMs}`, { signal: poll.signal });
            failures = 0;
            if (FINAL.has(record.status)) this.#router.deliver(record as FinalPrediction);
          } catch (error) {
            const e = error as InferqClientError;
            if (e.status === 400 || e.status === 401 || e.status === 403 || e.status === 404) {
              this.#router.fail(id, e);
              return;
            }
            // Bounded by the waiters' deadlines: the loop ends once none waits on this id.
            await new Promise((r) => setTimeout(r, backoffDelay(++failures, this.#options.reconnect)));
          } finally {
            clearTimeout(timer);
            this.#active.delete(call);
          }
        }
      } finally {
        this.#polling.delete(id);
      }
    })();
  }
}

function toResult(final: FinalPrediction): PredictionResult {
  if (final.status === 'completed') {
    return { id: final.id, response: final.result, outputs: Object.fromEntries(final.result.outputs.map((o) => [o.name, o])), timings: final.timings };
  }
  throw new InferqClientError(final.error.code, final.error.message, { predictionId: final.id, status: statusOf(final.error.code) });
}

/** The HTTP status the registry gives these codes (failed predictions carry no HTTP answer of their own). */
function statusOf(code: string): number {
  return code === 'INFERENCE_FAILED' ? 422 : code === 'DEADLINE_EXCEEDED' ? 504 : 500;
}

export type { InferenceRequest };
