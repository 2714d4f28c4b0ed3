/** Routes beside predictions: models, batching settings, API keys, dead letters, the prediction log. */
import type { BatchingSettings, ExportedPredictionLogEntry, ModelMetadata } from '@inferq/contract';
import { InferqClientError } from './errors.js';
import type { HttpTransport } from './http.js';
import type { ApiKeyInfo, CreatedApiKey, DeadLetterList, ModelFileSource, ModelInfo, ModelStatus, RegisteredVersion, RegisterOptions, Submitted, VersionStatusInfo } from './types.js';

/** A call with the client's slot and deadline applied. */
export type Run = <T>(what: string, call: (signal: AbortSignal) => Promise<T>, options?: CallOptions) => Promise<T>;

/** Options every call takes. */
export interface CallOptions {
  /** Client-side limit, ms. @defaultValue the client's timeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const seg = (value: string) => encodeURIComponent(value);

/** Batching settings as served: plus where they come from. */
export type BatchingInForce = BatchingSettings & { source: 'config' | 'runtime' | string };

/** `GET /v1/models`, `/v2/models/{m}` and the run-time batching settings. */
export class ModelsApi {
  constructor(private readonly http: HttpTransport, private readonly run: Run) {}

  /** Models, versions, batch settings and signatures. */
  list(options?: CallOptions): Promise<ModelInfo[]> {
    return this.run('list models', async (signal) => (await this.http.json<{ models: ModelInfo[] }>('/v1/models', { signal })).models, options);
  }

  /** v2 metadata: input and output names, datatypes, shapes (-1 = dynamic). */
  metadata(model: string, version?: string, options?: CallOptions): Promise<ModelMetadata> {
    const path = version === undefined ? `/v2/models/${seg(model)}` : `/v2/models/${seg(model)}/versions/${seg(version)}`;
    return this.run('read model metadata', (signal) => this.http.json<ModelMetadata>(path, { signal }), options);
  }

  /** The batching settings in force for a model version (scope `read`). */
  getBatching(model: string, version: string, options?: CallOptions): Promise<BatchingInForce> {
    return this.run('read batching settings', (signal) => this.http.json<BatchingInForce>(batchingPath(model, version), { signal }), options);
  }

  /** Changes some batching settings at run time (scope `admin`); workers apply them to their next batch. */
  setBatching(model: string, version: string, change: Partial<BatchingSettings>, options?: CallOptions): Promise<BatchingInForce> {
    return this.run('change batching settings', (signal) => this.http.json<BatchingInForce>(batchingPath(model, version), { method: 'PUT', json: change, signal }), options);
  }

  /** Every version of a model with its state and the workers holding it (scope `read`). */
  status(model: string, options?: CallOptions): Promise<ModelStatus> {
    return this.run('read model status', (signal) => this.http.json<ModelStatus>(`/v1/models/${seg(model)}`, { signal }), options);
  }

  /**
   * Registers a new version while serving (scope `admin`): answers once it is stored (state
   * `LOADING`); poll `status` until it is `READY` (or `FAILED`).
   */
  register(model: string, source: ModelFileSource, registration: RegisterOptions = {}, options?: CallOptions): Promise<RegisteredVersion> {
    const query = new URLSearchParams();
    if (registration.version !== undefined) query.set('version', registration.version);
    if ('bytes' in source && registration.config !== undefined) query.set('config', JSON.stringify(registration.config));
    const path = `/v1/models/${seg(model)}/versions${query.toString() !== '' ? `?${query.toString()}` : ''}`;
    return this.run('register model version', (signal) => this.http.json<RegisteredVersion>(path, 'bytes' in source
      ? { method: 'POST', body: { bytes: source.bytes, contentType: 'application/octet-stream' }, signal }
      : { method: 'POST', json: { uri: source.uri, ...(source.sha256 !== undefined ? { sha256: source.sha256 } : {}), ...(registration.config !== undefined ? { config: registration.config } : {}) }, signal }), options);
  }

  /** Loads a version on every worker (scope `admin`). */
  load(model: string, version: string, options?: CallOptions): Promise<VersionStatusInfo> {
    return this.run('load model version', (signal) => this.http.json<VersionStatusInfo>(`/v1/models/${seg(model)}/versions/${seg(version)}/load`, { method: 'POST', signal }), options);
  }

  /** Unloads a version: no new predictions; queued ones finish first (scope `admin`). */
  unload(model: string, version: string, options?: CallOptions): Promise<VersionStatusInfo> {
    return this.run('unload model version', (signal) => this.http.json<VersionStatusInfo>(`/v1/models/${seg(model)}/versions/${seg(version)}/unload`, { method: 'POST', signal }), options);
  }

  /** Drops the run-time change: config.json applies again (scope `admin`). */
  resetBatching(model: string, version: string, options?: CallOptions): Promise<BatchingInForce> {
    return this.run('reset batching settings', (signal) => this.http.json<BatchingInForce>(batchingPath(model, version), { method: 'DELETE', signal }), options);
  }
}

function batchingPath(model: string, version: string): string {
  return `/v1/models/${seg(model)}/versions/${seg(version)}/batching`;
}

/** `/v1/admin/keys` (scope `admin`). */
export class KeysApi {
  constructor(private readonly http: HttpTransport, private readonly run: Run) {}

  /** Creates a key; its secret `key` is in this answer only. */
  create(name: string, scopes: ApiKeyInfo['scopes'], options?: CallOptions): Promise<CreatedApiKey> {
    return this.run('create API key', (signal) => this.http.json<CreatedApiKey>('/v1/admin/keys', { method: 'POST', json: { name, scopes }, signal }), options);
  }

  /** Configured and stored keys, revoked ones included (never a secret). */
  list(options?: CallOptions): Promise<ApiKeyInfo[]> {
    return this.run('list API keys', async (signal) => (await this.http.json<{ keys: ApiKeyInfo[] }>('/v1/admin/keys', { signal })).keys, options);
  }

  /** Revokes a stored key (idempotent). */
  revoke(id: string, options?: CallOptions): Promise<ApiKeyInfo> {
    return this.run('revoke API key', (signal) => this.http.json<ApiKeyInfo>(`/v1/admin/keys/${seg(id)}`, { method: 'DELETE', signal }), options);
  }
}

/** Dead letters (scope `admin`). */
export class DeadLettersApi {
  constructor(private readonly http: HttpTransport, private readonly run: Run) {}

  /** The newest failed predictions of a model. @param limit 1–1000, @defaultValue 50 (the server's) */
  list(model: string, limit?: number, options?: CallOptions): Promise<DeadLetterList> {
    const query = limit === undefined ? '' : `?limit=${limit}`;
    return this.run('list dead letters', (signal) => this.http.json<DeadLetterList>(`/v1/models/${seg(model)}/failed${query}`, { signal }), options);
  }

  /** Re-queues a failed prediction with its original input; wait for it again with `client.wait(id)`. */
  retry(id: string, options?: CallOptions): Promise<Submitted> {
    return this.run('retry prediction', (signal) => this.http.json<Submitted>(`/v1/predictions/${seg(id)}/retry`, { method: 'POST', signal }), options);
  }
}

/** Filters of the prediction log export. */
export interface LogExportOptions {
  model?: string;
  version?: string;
  /** Epoch ms, an ISO time, or the last `logId` read (continue after it). */
  since?: string | number;
  limit?: number;
  signal?: AbortSignal;
}

/** Streams `GET /v1/predictions/log` (JSON Lines), one entry at a time (scope `admin`). No client timeout: pass a signal. */
export async function* exportLog(http: HttpTransport, options: LogExportOptions = {}): AsyncGenerator<ExportedPredictionLogEntry> {
  const query = new URLSearchParams();
  for (const key of ['model', 'version', 'since', 'limit'] as const) if (options[key] !== undefined) query.set(key, String(options[key]));
  const response = await http.send(`/v1/predictions/log${query.size > 0 ? `?${query}` : ''}`, options.signal ? { signal: options.signal } : {});
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) yield parseLine(line);
      }
      if (done) break;
    }
    if (buffered.trim()) yield parseLine(buffered.trim());
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function parseLine(line: string): ExportedPredictionLogEntry {
  try {
    return JSON.parse(line) as ExportedPredictionLogEntry;
  } catch (error) {
    throw new InferqClientError('CONNECTION_FAILED', `the prediction log holds a line that is not JSON: ${line.slice(0, 80)}`, { cause: error });
  }
}
