/** HTTP calls to the API over the global `fetch`: the API key header, the call's signal, and typed errors. */
import { errorFromBody, InferqClientError } from './errors.js';

/** Options of one HTTP call. */
export interface HttpCall {
  method?: string;
  /** JSON body (sent as application/json). */
  json?: unknown;
  /** Raw body with its content type. */
  body?: { bytes: Uint8Array<ArrayBuffer> | string; contentType: string };
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A thin fetch wrapper bound to one base URL and API key. */
export class HttpTransport {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;

  constructor(base: string, headers: Record<string, string>, fetchImpl: typeof fetch) {
    this.#base = base;
    this.#headers = headers;
    this.#fetch = fetchImpl;
  }

  /** Sends the call; a non-2xx answer throws its {@link InferqClientError}; no answer throws CONNECTION_FAILED. */
  async send(path: string, call: HttpCall = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.#headers, ...call.headers };
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.body) {
      headers['content-type'] = call.body.contentType;
      body = call.body.bytes;
    }
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}${path}`, { method: call.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}), ...(call.signal ? { signal: call.signal } : {}) });
    } catch (error) {
      if (call.signal?.aborted && call.signal.reason instanceof InferqClientError) throw call.signal.reason;
      throw new InferqClientError('CONNECTION_FAILED', `${call.method ?? 'GET'} ${this.#base}${path}: ${describe(error)}`, { cause: error });
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    throw errorFromBody(response.status, parsed, response.headers.get('retry-after'));
  }

  /** {@link send} and parse the JSON answer. */
  async json<T>(path: string, call: HttpCall = {}): Promise<T> {
    const response = await this.send(path, call);
    try {
      return (await response.json()) as T;
    } catch (error) {
      if (call.signal?.aborted && call.signal.reason instanceof InferqClientError) throw call.signal.reason;
      throw new InferqClientError('CONNECTION_FAILED', `${path}: the answer is not JSON (${describe(error)})`, { status: response.status, cause: error });
    }
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * True when the request certainly never reached the server (connection refused), so sending it
 * again cannot queue it twice. Only Node's fetch says so (`cause.code`); browsers hide it.
 */
export function neverReachedServer(error: unknown): boolean {
  if (!(error instanceof InferqClientError) || error.code !== 'CONNECTION_FAILED') return false;
  const cause = (error.cause as { cause?: { code?: string } } | undefined)?.cause;
  return cause?.code === 'ECONNREFUSED';
}
