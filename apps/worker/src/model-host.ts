import type { Redis } from 'ioredis';
import { InferqError, type ModelControlEvent, type RedisKeys, type WorkerVersionReport, type WorkerVersionState } from '@inferq/contract';
import type { ModelRepository, ModelVersion } from '@inferq/model-repository';
import type { Logger } from '@inferq/logger';
import type { ModelVersionServer } from './model-version-server.js';

/** A loaded version: its server, and how to free its session. */
export interface HeldVersion {
  server: ModelVersionServer;
  release(): Promise<void>;
}

/** What the host needs from the worker around it. */
export interface ModelHostDeps {
  repository: ModelRepository;
  workerId: string;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  /** Makes the version's file local (fetch from the model store), opens its session, dry-runs it. */
  open(version: ModelVersion): Promise<HeldVersion>;
  /** Predictions of the version still queued or running (PredictionQueues.versionBacklog). */
  backlog(model: string, version: string): Promise<number>;
  /** How often an unload looks at the backlog, ms. @defaultValue 500 */
  drainPollMs?: number;
  /** Longest an unload waits for the backlog to empty before releasing anyway, ms. @defaultValue 600000 */
  drainTimeoutMs?: number;
}

const keyOf = (model: string, version: string) => `${model}\u0000${version}`;

/**
 * The model versions one worker holds, and the one writer of its reports in
 * `{prefix}:model-state:{model}:{version}`: loads in the background while other versions keep
 * serving, and unloads by draining (the version's queued and running predictions finish on it;
 * only then is its session released).
 */
export class ModelHost {
  readonly #deps: ModelHostDeps;
  readonly #held = new Map<string, Promise<HeldVersion>>();
  /** Versions whose desired state is `unloaded`: with no server held, their jobs fail VERSION_NOT_LOADED. */
  readonly #unloaded = new Set<string>();
  /** Unloads in progress (draining), by key. */
  readonly #unloading = new Map<string, Promise<void>>();
  /** Versions this worker wrote a report for, so close() can take them back. */
  readonly #reported = new Map<string, { model: string; version: string }>();
  #closed = false;

  constructor(deps: ModelHostDeps) {
    this.#deps = deps;
  }

  /** The server of a job's version: loads it if needed. Throws MODEL_NOT_FOUND / VERSION_NOT_FOUND / VERSION_NOT_LOADED. */
  lookup = (model: string, version: string): Promise<ModelVersionServer> => {
    const key = keyOf(model, version);
    const held = this.#held.get(key);
    // Held while unloading too: the version's queued predictions finish on it.
    if (held) return held.then((h) => h.server);
    if (this.#unloaded.has(key)) {
      this.#deps.repository.resolve(model, version); // an unknown version stays VERSION_NOT_FOUND
      return Promise.reject(new InferqError('VERSION_NOT_LOADED', `model "${model}" version "${version}" was unloaded (POST /v1/models/${model}/versions/${version}/load serves it again)`));
    }
    return this.load(model, version).then((h) => h.server);
  };

  /**
   * Loads a version (once; concurrent calls share the load) and reports LOADING, then READY or FAILED.
   * @param given - the version when it is not in this worker's repository (a pipeline's step outside MODELS)
   */
  load(model: string, version: string, given?: ModelVersion): Promise<HeldVersion> {
    const key = keyOf(model, version);
    this.#unloaded.delete(key);
    const existing = this.#held.get(key);
    if (existing) {
      // Loaded again while draining: keep serving; the unload sees the version wanted and stops.
      if (this.#unloading.has(key)) void existing.then(() => this.#report(model, version, 'READY')).catch(() => {});
      return existing;
    }
    let modelVersion: ModelVersion;
    try {
      modelVersion = given ?? this.#deps.repository.resolve(model, version);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const loading = (async () => {
      await this.#report(model, version, 'LOADING');
      try {
        const held = await this.#deps.open(modelVersion);
        await this.#report(model, version, 'READY');
        this.#deps.logger.info({ model, version }, 'model version loaded');
        return held;
      } catch (error) {
        const reason = (error as Error).message.slice(0, 1000);
        this.#deps.logger.error({ model, version, err: error }, 'model version failed to load');
        await this.#report(model, version, 'FAILED', reason);
        // Not an InferqError: a job that meets it is retried (another worker may hold the version).
        throw new Error(`model "${model}" version "${version}" failed to load on this worker: ${reason}`, { cause: error });
      }
    })();
    this.#held.set(key, loading);
    loading.catch(() => {
      if (this.#held.get(key) === loading) this.#held.delete(key); // a later job or load tries again
    });
    return loading;
  }

  /** Records that a version is not wanted, before anything was loaded (start-up). */
  markUnloaded(model: string, version: string): void {
    this.#unloaded.add(keyOf(model, version));
  }

  /** True when the version's desired state here is unloaded. */
  isUnloaded(model: string, version: string): boolean {
    return this.#unloaded.has(keyOf(model, version));
  }

  /**
   * Unloads a version: new jobs of it fail VERSION_NOT_LOADED once it is released, but first its
   * backlog (queued, delayed for a retry, running) drains on the session. Resolves once released.
   */
  unload(model: string, version: string): Promise<void> {
    const key = keyOf(model, version);
    this.#unloaded.add(key);
    const running = this.#unloading.get(key);
    if (running) return running;
    const held = this.#held.get(key);
    if (!held) return this.#forget(model, version);
    const unloading = this.#drainAndRelease(model, version, key, held).finally(() => this.#unloading.delete(key));
    this.#unloading.set(key, unloading);
    return unloading;
  }

  async #drainAndRelease(model: string, version: string, key: string, held: Promise<HeldVersion>): Promise<void> {
    const { drainPollMs = 500, drainTimeoutMs = 600_000 } = this.#deps;
    const h = await held.catch(() => undefined);
    if (!h) return this.#forget(model, version);
    await this.#report(model, version, 'UNLOADING');
    const deadline = Date.now() + drainTimeoutMs;
    // Two empty readings in a row: a job moving between BullMQ lists (or still in an API's
    // coalescer) during one reading is seen by the next.
    let empty = 0;
    while (empty < 2 && Date.now() < deadline && !this.#closed) {
      if (!this.#unloaded.has(key)) return; // loaded again meanwhile: keep it
      const backlog = await this.#deps.backlog(model, version).catch((error: Error) => {
        this.#deps.logger.warn({ model, version, err: error }, 'could not read the backlog of an unloading version');
        return 1;
      });
      empty = backlog === 0 ? empty + 1 : 0;
      if (empty < 2) await new Promise((resolve) => setTimeout(resolve, drainPollMs).unref());
    }
    if (!this.#unloaded.has(key)) return;
    if (empty < 2 && !this.#closed) this.#deps.logger.warn({ model, version, drainTimeoutMs }, 'unload: backlog not empty after the drain timeout; releasing anyway');
    await h.server.drain();
    this.#held.delete(key);
    await h.release().catch((error: Error) => this.#deps.logger.warn({ model, version, err: error }, 'could not release a session'));
    this.#deps.logger.info({ model, version }, 'model version unloaded');
    await this.#forget(model, version);
  }

  /** Servers held now (loaded, whether or not draining). */
  async servers(): Promise<ModelVersionServer[]> {
    const settled = await Promise.allSettled(this.#held.values());
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.server] : []));
  }

  /** Drains every held server (shutdown). */
  async drainAll(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#held.values()].map((h) => h.then((v) => v.server.drain())));
  }

  /** Takes back every report of this worker (a clean stop). */
  async withdrawReports(): Promise<void> {
    await Promise.allSettled([...this.#reported.values()].map(({ model, version }) => this.#forget(model, version)));
  }

  async #report(model: string, version: string, state: WorkerVersionState, reason?: string): Promise<void> {
    const report: WorkerVersionReport = { state, at: Date.now(), ...(reason !== undefined ? { reason } : {}) };
    this.#reported.set(keyOf(model, version), { model, version });
    await this.#write(model, version, (m) => m.hset(this.#deps.keys.modelState(model, version), this.#deps.workerId, JSON.stringify(report)));
  }

  async #forget(model: string, version: string): Promise<void> {
    this.#reported.delete(keyOf(model, version));
    await this.#write(model, version, (m) => m.hdel(this.#deps.keys.modelState(model, version), this.#deps.workerId));
  }

  async #write(model: string, version: string, change: (m: ReturnType<Redis['multi']>) => unknown): Promise<void> {
    const { redis, keys, logger } = this.#deps;
    const event: ModelControlEvent = { kind: 'state', model, version };
    const multi = redis.multi();
    change(multi);
    multi.publish(keys.modelControlChannel, JSON.stringify(event));
    await multi.exec().catch((error: Error) => logger.warn({ model, version, err: error }, 'could not write a model state report'));
  }
}
