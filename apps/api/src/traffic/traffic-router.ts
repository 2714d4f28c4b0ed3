import type { Redis } from 'ioredis';
import { type RedisKeys, type TrafficChange, type TrafficPolicy, type TrafficRoute } from '@inferq/contract';
import type { ModelRepository } from '@inferq/model-repository';
import { routeRequest, shadowVersion, type RandomSource, type RoutingInput, type TrafficPolicyStore } from '@inferq/predictions';
import { isRoutable } from './routable-version.js';

/** Where a request goes. */
export interface TrafficDecision {
  /** The version to serve; undefined = the model's default version. */
  version: string | undefined;
  route: TrafficRoute;
  /** The version to mirror it to, when the policy shadows it. */
  shadow?: string;
}

/** Settings of the router. */
export interface TrafficRouterOptions {
  /** `TRAFFIC_REFRESH_MS`: re-read every policy this often, a safety net under the change channel. @defaultValue 5000 */
  refreshMs: number;
  /** Uniform draws (tests and benchmarks fix it). @defaultValue Math.random */
  random?: RandomSource;
  /** Told when a refresh fails (Redis away); the cached policies keep serving meanwhile. */
  onError?: (error: unknown) => void;
}

/**
 * The API's view of the traffic policies: every model's policy cached in memory, so routing costs
 * no Redis round trip. Kept current by the change channel `{prefix}:events:traffic`, a re-read
 * after every reconnect of its subscriber (what was announced meanwhile is lost) and a periodic
 * re-read as a safety net. A policy read back naming a version that cannot serve (unloaded since)
 * is not followed for that version: such a request goes to the default version instead.
 */
export class TrafficRouter {
  readonly #store: TrafficPolicyStore;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #repository: ModelRepository;
  readonly #options: TrafficRouterOptions;
  readonly #random: RandomSource;
  readonly #policies = new Map<string, TrafficPolicy>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** @param subscriber - a connection this router owns and puts in subscriber mode. */
  constructor(store: TrafficPolicyStore, subscriber: Redis, keys: RedisKeys, repository: ModelRepository, options: TrafficRouterOptions) {
    this.#store = store;
    this.#subscriber = subscriber;
    this.#channel = keys.trafficChannel;
    this.#repository = repository;
    this.#options = options;
    this.#random = options.random ?? Math.random;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#onChange(message);
    });
    subscriber.on('ready', () => {
      if (this.#timer && !this.#closed) void this.refresh().catch((error: unknown) => this.#options.onError?.(error));
    });
  }

  /** Subscribes, reads every policy once, then re-reads every `refreshMs`. */
  async start(): Promise<void> {
    await this.#subscriber.subscribe(this.#channel);
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh().catch((error: unknown) => this.#options.onError?.(error)), this.#options.refreshMs);
    this.#timer.unref();
  }

  /** Re-reads the policies of every model (one round trip). */
  async refresh(): Promise<void> {
    const models = this.#repository.modelNames();
    const policies = await this.#store.getMany(models);
    models.forEach((model, i) => this.#set(model, policies[i]));
  }

  /** Re-reads one model's policy now (after a write through this API, so it applies at once here). */
  async refreshModel(model: string): Promise<void> {
    this.#set(model, await this.#store.get(model));
  }

  /** The cached policy of `model` (undefined: none, the default version serves). */
  policy(model: string): TrafficPolicy | undefined {
    return this.#policies.get(model);
  }

  /**
   * Where a request for `model` goes. `pinned` (a version named) bypasses the policy, shadow
   * included; otherwise rules → sticky → weights, else the default version.
   */
  decide(model: string, pinned: string | undefined, input: RoutingInput): TrafficDecision {
    if (pinned !== undefined) return { version: pinned, route: 'pinned' };
    const policy = this.#policies.get(model);
    if (!policy) return { version: undefined, route: 'default' };
    const routed = routeRequest(policy, input, this.#random);
    const decision: TrafficDecision = routed && isRoutable(this.#repository, model, routed.version)
      ? { version: routed.version, route: routed.route }
      : { version: undefined, route: 'default' };
    if (policy.shadow) {
      const served = decision.version ?? this.#defaultVersion(model);
      const shadow = served === undefined ? undefined : shadowVersion(policy, served, this.#random);
      if (shadow !== undefined && isRoutable(this.#repository, model, shadow)) decision.shadow = shadow;
    }
    return decision;
  }

  /** Stops listening and re-reading. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }

  #defaultVersion(model: string): string | undefined {
    try {
      return this.#repository.resolve(model).version;
    } catch {
      return undefined;
    }
  }

  #set(model: string, policy: TrafficPolicy | undefined): void {
    // An empty policy (cleared) routes like none: keep the hot path's check to one lookup.
    if (policy && (policy.routes.length > 0 || policy.rules.length > 0 || policy.shadow)) this.#policies.set(model, policy);
    else this.#policies.delete(model);
  }

  #onChange(message: string): void {
    let change: TrafficChange;
    try {
      change = JSON.parse(message) as TrafficChange;
    } catch {
      return; // not ours: never let a stray publish crash the API
    }
    if (typeof change.model !== 'string') return;
    // Re-read rather than trust the message: reads are ordered, messages may race a refresh.
    void this.refreshModel(change.model).catch((error: unknown) => this.#options.onError?.(error));
  }
}

/** The routing inputs of a request: its headers and body parameters. */
export function routingInput(headers: RoutingInput['headers'], body: unknown): RoutingInput {
  const parameters = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { parameters?: unknown }).parameters : undefined;
  return {
    headers,
    parameters: typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters) ? parameters as Record<string, unknown> : undefined,
  };
}

