import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import {
  parseRegistry,
  InferqError, MODEL_NAME_PATTERN, registryField,
  type ModelConfig, type ModelControlEvent, type RedisKeys, type VersionRecord, type VersionState,
} from '@inferq/contract';
import { parseModelConfig, registeredModelVersion, type ModelRepository } from '@inferq/model-repository';
import { fetchUri, isSha256, spool, type FetchUriOptions, type ObjectStore } from '@inferq/object-store';
import { waitUntilReady } from '@inferq/redis';
import type { Logger } from '@inferq/logger';
import { redisCall } from '../redis-call.js';
import { checkModelFile } from './model-file-check.js';
import { storeErrorToInferq } from './store-errors.js';
import { liveWorkers, readVersionStatuses, type VersionStatus } from './version-status.js';

/** Version numbers, as directory names in the repository. */
const VERSION_PATTERN = /^[1-9][0-9]{0,8}$/;

/** Where the bytes of a registration come from. */
export type ModelSource =
  | { kind: 'upload'; body: Readable }
  | { kind: 'uri'; uri: string; sha256?: string };

/** What `ModelControl` needs. */
export interface ModelControlDeps {
  redis: Redis;
  /** A connection this service owns and puts in subscriber mode. */
  subscriber: Redis;
  keys: RedisKeys;
  repository: ModelRepository;
  store: ObjectStore;
  /** `MAX_MODEL_BYTES`. */
  maxModelBytes: number;
  /** file:// roots and the S3 client of `fetchUri` (without `maxBytes`). */
  fetch: Omit<FetchUriOptions, 'maxBytes'>;
  /** Where uploads are written while they are checked. */
  spoolDir: string;
  /** Longest wait for a Redis call of a request (ENQUEUE_TIMEOUT_MS). */
  timeoutMs: number;
  logger: Logger;
  /** How often the state cache is refreshed from Redis, ms. @defaultValue 1000 */
  refreshMs?: number;
}

/** A model as `GET /v1/models/{model}` describes it. */
export interface ModelDescription {
  name: string;
  defaultVersion: string;
  versions: VersionStatus[];
  traffic: Record<string, unknown>;
}

const keyOf = (model: string, version: string) => `${model}\u0000${version}`;

/**
 * Model control on the API side: registers versions (file into the model store, entry into the
 * registry, event to the workers), loads and unloads them, and knows each version's state.
 * `versionState` and `assertServable` answer from a cache refreshed every second and on every
 * event, so the prediction path costs no Redis call for them.
 */
export class ModelControl {
  readonly #deps: ModelControlDeps;
  readonly #states = new Map<string, { state: VersionState; desired: 'loaded' | 'unloaded' }>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #closed = false;

  constructor(deps: ModelControlDeps) {
    this.#deps = deps;
  }

  /** Reads the registry (versions registered before this API started join the repository), subscribes, fills the cache. */
  async start(): Promise<void> {
    const { subscriber, keys, logger } = this.#deps;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== keys.modelControlChannel) return;
      let event: ModelControlEvent;
      try { event = JSON.parse(message) as ModelControlEvent; } catch { return; }
      // Refresh from Redis rather than trusting the event: it carries names only.
      this.refresh().catch((error: Error) => logger.warn({ err: error, event }, 'model control refresh failed'));
    });
    subscriber.on('error', (error: Error) => logger.warn({ err: error }, 'model control subscriber connection error'));
    await waitUntilReady(subscriber, 30_000);
    await subscriber.subscribe(keys.modelControlChannel);
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((error: Error) => logger.warn({ err: error }, 'model control refresh failed'));
    }, this.#deps.refreshMs ?? 1_000);
    this.#timer.unref();
  }

  /**
   * The state of a version from the cache (at most a second old; immediate for changes made
   * through this API). For the traffic policy: weights go only to READY versions.
   * Throws MODEL_NOT_FOUND / VERSION_NOT_FOUND.
   */
  versionState(model: string, version: string): VersionState {
    this.#deps.repository.resolve(model, version);
    return this.#states.get(keyOf(model, version))?.state ?? 'LOADING';
  }

  /**
   * Refuses predictions for a version that takes none: unloaded (or unloading), or registered
   * and not READY. A repository version that is wanted always takes them (they queue until a
   * worker comes, as always). Throws VERSION_NOT_LOADED.
   */
  assertServable(model: string, version: string): void {
    if (this.isServable(model, version)) return;
    const cached = this.#states.get(keyOf(model, version));
    const state = cached?.state ?? 'LOADING';
    throw new InferqError('VERSION_NOT_LOADED', `model "${model}" version "${version}" is ${state}${cached?.desired === 'unloaded' ? ' (unloaded)' : ''} and takes no predictions`);
  }

  /**
   * Whether a version takes predictions (and so traffic): a repository version unless unloaded
   * (it queues until a worker comes, as always), a registered one only once READY.
   */
  isServable(model: string, version: string): boolean {
    const cached = this.#states.get(keyOf(model, version));
    const registered = !this.#deps.repository.isFromDirectory(model, version);
    return !(cached?.desired === 'unloaded' || (registered && cached?.state !== 'READY'));
  }

  /** Every version of a model with its state, read from Redis now. Throws MODEL_NOT_FOUND. */
  async describe(model: string): Promise<ModelDescription> {
    const { repository } = this.#deps;
    const versions = repository.versions(model);
    const statuses = await this.#call(async () => {
      const [registry, live] = await Promise.all([this.#registry(), liveWorkers(this.#deps.redis, this.#deps.keys)]);
      return readVersionStatuses(this.#deps.redis, this.#deps.keys, versions.map((version) => ({
        model, version, origin: repository.isFromDirectory(model, version) ? 'repository' as const : 'registered' as const,
        record: registry.get(registryField(model, version)),
      })), live);
    });
    for (const s of statuses) this.#remember(model, s.version, s.state, s.desired);
    const defaultVersion = repository.defaultVersion(model);
    // The route adds the traffic policy in force (TrafficAdmin.summary); without one, unpinned
    // requests go to the default version.
    return { name: model, defaultVersion, versions: statuses, traffic: { defaultVersion, revision: 0 } };
  }

  /** One version's status, read from Redis now. Throws MODEL_NOT_FOUND / VERSION_NOT_FOUND. */
  async status(model: string, version: string): Promise<VersionStatus> {
    this.#deps.repository.resolve(model, version);
    const described = await this.describe(model);
    return described.versions.find((v) => v.version === version)!;
  }

  /**
   * Registers a new version: streams the bytes into a local file (MAX_MODEL_BYTES), checks the
   * file and config, stores it by hash in the model store, claims the version number, writes the
   * registry entry and tells the workers. Answers before the workers loaded it (state LOADING).
   * @param requested - `?version=N`; absent = one above the highest version the model has.
   */
  async register(model: string, requested: string | undefined, source: ModelSource, configValue: unknown): Promise<{ model: string; version: string; state: VersionState }> {
    const { repository, maxModelBytes, store, spoolDir } = this.#deps;
    if (!MODEL_NAME_PATTERN.test(model)) throw new InferqError('INVALID_REQUEST', `model name "${model.slice(0, 130)}" must match ${MODEL_NAME_PATTERN}`);
    if (requested !== undefined && !VERSION_PATTERN.test(requested)) throw new InferqError('INVALID_REQUEST', `version "${requested.slice(0, 32)}" must be a positive integer (no leading zero)`);
    if (requested !== undefined && repository.modelNames().includes(model) && repository.versions(model).includes(requested)) {
      throw new InferqError('VERSION_EXISTS', `model "${model}" already has version "${requested}"`);
    }
    let config: ModelConfig;
    try {
      config = parseModelConfig(configValue ?? {}, 'config');
    } catch (error) {
      throw new InferqError('INVALID_REQUEST', (error as Error).message);
    }
    if (source.kind === 'uri') {
      if (source.sha256 !== undefined && !isSha256(source.sha256)) throw new InferqError('INVALID_REQUEST', 'sha256 must be 64 lower-case hex digits');
      if (/^https?:/i.test(source.uri) && source.sha256 === undefined) throw new InferqError('INVALID_MODEL_URI', 'an https:// uri needs "sha256" (the bytes are checked against it)');
    }

    await mkdir(spoolDir, { recursive: true });
    const expected = source.kind === 'uri' ? source.sha256 : undefined;
    const spooled = await (async () => {
      // The request body reaches spool through a PassThrough: spool's pipeline destroys what it
      // holds when the size limit cuts it off, and a destroyed request could not be answered (413);
      // the request itself is drained below instead.
      const body = source.kind === 'upload' ? source.body.pipe(new PassThrough()) : (await fetchUri(source.uri, { ...this.#deps.fetch, maxBytes: maxModelBytes })).body;
      return spool(body, spoolDir, { maxBytes: maxModelBytes, ...(expected !== undefined ? { sha256: expected } : {}) });
    })().catch((error: unknown) => {
      if (source.kind === 'upload') {
        source.body.unpipe();
        source.body.resume(); // drain the rest so the answer can be sent
      }
      throw storeErrorToInferq(error);
    });
    let record: VersionRecord;
    try {
      const signature = await checkModelFile(spooled.path, model, requested ?? '1', config);
      await store.put(createReadStream(spooled.path), { maxBytes: maxModelBytes, sha256: spooled.sha256 }).catch((error: unknown) => { throw storeErrorToInferq(error); });
      const origin = source.kind === 'upload' ? 'upload' : source.uri.split('?')[0]!.slice(0, 500);
      const base = {
        model, desired: 'loaded' as const, changedAt: Date.now(),
        registered: { sha256: spooled.sha256, size: spooled.size, config, inputs: signature.inputs, outputs: signature.outputs, source: origin },
      };
      record = await this.#claimVersion(model, requested, base);
    } finally {
      await spooled.discard();
    }
    repository.register(registeredModelVersion(record, `${store.location}#${record.registered!.sha256}`));
    this.#remember(model, record.version, 'LOADING', 'loaded');
    await this.#announce(model, record.version);
    this.#deps.logger.info({ model, version: record.version, sha256: record.registered!.sha256, size: record.registered!.size }, 'model version registered');
    return { model, version: record.version, state: 'LOADING' };
  }

  /** Wants a version loaded again (or still). Throws MODEL_NOT_FOUND / VERSION_NOT_FOUND. */
  async load(model: string, version: string): Promise<VersionStatus> {
    return this.#setDesired(model, version, 'loaded');
  }

  /** Unloads a version: no new predictions; queued ones finish, then workers release it. */
  async unload(model: string, version: string): Promise<VersionStatus> {
    return this.#setDesired(model, version, 'unloaded');
  }

  /** Reads everything once more and updates the cache (and the repository's serving marks). */
  refresh(): Promise<void> {
    // One refresh at a time; callers during one share it.
    return (this.#refreshing ??= this.#refreshOnce().finally(() => { this.#refreshing = undefined; }));
  }

  /** Stops the timer and the subscriber. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#refreshing?.catch(() => {});
    await this.#deps.subscriber.quit().catch(() => this.#deps.subscriber.disconnect());
  }

  async #refreshOnce(): Promise<void> {
    if (this.#closed) return;
    const { redis, keys, repository } = this.#deps;
    const registry = await this.#registry();
    for (const record of registry.values()) this.#adopt(record);
    const live = await liveWorkers(redis, keys);
    const versions = repository.all().map((v) => ({
      model: v.name, version: v.version, origin: repository.isFromDirectory(v.name, v.version) ? 'repository' as const : 'registered' as const,
      record: registry.get(registryField(v.name, v.version)),
    }));
    const statuses = await readVersionStatuses(redis, keys, versions, live);
    statuses.forEach((s, i) => this.#remember(versions[i]!.model, s.version, s.state, s.desired));
  }

  /** A version registered through another API instance joins this repository. */
  #adopt(record: VersionRecord): void {
    const { repository, store } = this.#deps;
    if (!record.registered) return;
    if (repository.modelNames().includes(record.model) && repository.versions(record.model).includes(record.version)) return;
    try {
      repository.register(registeredModelVersion(record, `${store.location}#${record.registered.sha256}`));
    } catch (error) {
      this.#deps.logger.warn({ model: record.model, version: record.version, err: error }, 'ignored a registry entry that does not build a model version');
    }
  }

  #remember(model: string, version: string, state: VersionState, desired: 'loaded' | 'unloaded'): void {
    this.#states.set(keyOf(model, version), { state, desired });
    if (!this.#deps.repository.isFromDirectory(model, version)) this.#deps.repository.setServing(model, version, state === 'READY');
  }

  async #registry(): Promise<Map<string, VersionRecord>> {
    return parseRegistry(await this.#deps.redis.hgetall(this.#deps.keys.modelRegistry));
  }

  /** Writes the entry under the requested version, or the next free number (HSETNX: two registrations never share one). */
  async #claimVersion(model: string, requested: string | undefined, base: Omit<VersionRecord, 'version'>): Promise<VersionRecord> {
    const { redis, keys, repository } = this.#deps;
    for (let attempt = 0; attempt < 10; attempt++) {
      let version = requested;
      if (version === undefined) {
        const registry = await this.#call(() => this.#registry());
        const known = [...registry.values()].filter((r) => r.model === model).map((r) => Number(r.version));
        if (repository.modelNames().includes(model)) known.push(...repository.versions(model).map(Number));
        version = String(Math.max(0, ...known) + 1);
      } else if (repository.modelNames().includes(model) && repository.versions(model).includes(version)) {
        throw new InferqError('VERSION_EXISTS', `model "${model}" already has version "${version}"`);
      }
      const record: VersionRecord = { ...base, version };
      const claimed = await this.#call(() => redis.hsetnx(keys.modelRegistry, registryField(model, version), JSON.stringify(record)));
      if (claimed === 1) return record;
      if (requested !== undefined) throw new InferqError('VERSION_EXISTS', `model "${model}" already has version "${version}"`);
    }
    throw new InferqError('VERSION_EXISTS', `could not claim a free version number of "${model}" (registrations racing); retry`);
  }

  async #setDesired(model: string, version: string, desired: 'loaded' | 'unloaded'): Promise<VersionStatus> {
    const { redis, keys } = this.#deps;
    this.#deps.repository.resolve(model, version); // 404s
    const field = registryField(model, version);
    const current = parseRegistry(await this.#call(() => redis.hgetall(keys.modelRegistry))).get(field);
    const record: VersionRecord = current
      ? { ...current, desired, changedAt: Date.now() }
      : { model, version, desired, changedAt: Date.now() };
    await this.#call(() => redis.hset(keys.modelRegistry, field, JSON.stringify(record)));
    // This API refuses at once; the others within a refresh (the event triggers one).
    const cached = this.#states.get(keyOf(model, version));
    this.#remember(model, version, desired === 'unloaded' ? 'UNLOADING' : cached?.state ?? 'LOADING', desired);
    await this.#announce(model, version);
    this.#deps.logger.info({ model, version, desired }, desired === 'unloaded' ? 'model version unloading' : 'model version loading');
    return this.status(model, version);
  }

  async #announce(model: string, version: string): Promise<void> {
    const event: ModelControlEvent = { kind: 'desired', model, version };
    await this.#call(() => this.#deps.redis.publish(this.#deps.keys.modelControlChannel, JSON.stringify(event)));
  }

  #call<T>(operation: () => Promise<T>): Promise<T> {
    return redisCall(this.#deps.redis, this.#deps.timeoutMs, operation);
  }
}
