import type { Redis } from 'ioredis';
import { InferqError, type TrafficPolicy, type TrafficPolicySpec } from '@inferq/contract';
import type { ModelRepository } from '@inferq/model-repository';
import { checkTrafficPolicy, type ComparisonStore, type TrafficPolicyStore, type VersionComparison } from '@inferq/predictions';
import { redisCall } from '../redis-call.js';
import { isRoutable } from './routable-version.js';
import type { TrafficRouter } from './traffic-router.js';
import { trafficSummary } from './traffic-summary.js';

/** A model's policy as answered: the stored policy, or revision 0 (none) where none was written. */
export type TrafficPolicyAnswer = TrafficPolicy | (Omit<TrafficPolicy, 'revision' | 'updatedAt'> & { revision: 0; updatedAt: 0 });

/** Options of a change through the API. */
export interface TrafficChangeOptions {
  /** `If-Match` revision. */
  ifMatch?: number | undefined;
  /** Who (the API key's id). */
  actor?: string | undefined;
}

/** `GET .../versions/{v}/comparison`. */
export interface ComparisonAnswer {
  model: string;
  version: string;
  baseline: string | null;
  pairs: number;
  samples: number;
  agreement: number | null;
  meanAbsDiff: number | null;
  /** Class shares of both versions on the same rows and their total variation distance; null before any pair. */
  outputDrift: VersionComparison['outputDrift'];
}

/**
 * Traffic policy administration (`/v1/models/{m}/traffic...`): every change is checked in full
 * against the model's versions before the one atomic write (checkTrafficPolicy, then the store's
 * compare-and-set script), and applied to this API's router at once (other APIs follow the
 * change channel).
 */
export class TrafficAdmin {
  constructor(
    readonly redis: Redis,
    readonly repository: ModelRepository,
    readonly store: TrafficPolicyStore,
    readonly comparisons: ComparisonStore,
    readonly router: TrafficRouter,
    readonly timeoutMs: number,
  ) {}

  /** The policy in force. Throws MODEL_NOT_FOUND. */
  async get(model: string): Promise<TrafficPolicyAnswer> {
    const name = this.#model(model);
    return (await this.#call(() => this.store.get(name))) ?? emptyAnswer();
  }

  /** A short form for `GET /v1/models/{m}` (model control): the policy in force and its revision, from this API's cache. */
  summary(model: string): TrafficPolicyAnswer {
    return trafficSummary(this.router, model);
  }

  /** Checks and writes a new revision. INVALID_TRAFFIC_POLICY / VERSION_NOT_READY / PRECONDITION_FAILED. */
  async put(model: string, body: unknown, options: TrafficChangeOptions): Promise<TrafficPolicy> {
    const name = this.#model(model);
    const { reason, ...spec } = checkTrafficPolicy(name, body, this.#facts(name));
    const written = await this.#call(() => this.store.put(name, spec, { ifMatch: options.ifMatch, actor: options.actor, reason }));
    await this.#apply(name);
    return written;
  }

  /** Revisions newest first. */
  async history(model: string, limit: number): Promise<TrafficPolicy[]> {
    const name = this.#model(model);
    return this.#call(() => this.store.history(name, limit));
  }

  /** Restores the previous revision (checked: its versions must still serve). NOTHING_TO_ROLL_BACK when none. */
  async rollback(model: string, options: TrafficChangeOptions): Promise<TrafficPolicy> {
    const name = this.#model(model);
    const written = await this.#call(() => this.store.rollback(name, { ...options, check: (spec) => this.#recheck(name, spec) }));
    await this.#apply(name);
    return written;
  }

  /** Back to the default version (a new, empty revision). */
  async clear(model: string, options: TrafficChangeOptions): Promise<TrafficPolicy> {
    const name = this.#model(model);
    const written = await this.#call(() => this.store.clear(name, options));
    await this.#apply(name);
    return written;
  }

  /**
   * The comparison of `version` against `baseline` (default: the baseline it was compared with
   * most recently; with no data yet, the version serving most traffic, else the default version).
   */
  async comparison(model: string, version: string, baseline: string | undefined): Promise<ComparisonAnswer> {
    const target = this.repository.resolve(model, version);
    if (baseline !== undefined) this.repository.resolve(model, baseline);
    let found: VersionComparison | undefined;
    if (baseline !== undefined) {
      found = await this.#call(() => this.comparisons.get(target.name, target.version, baseline));
    } else {
      const all = (await this.#call(() => this.comparisons.list(target.name))).filter((c) => c.version === target.version);
      found = all.sort((a, b) => b.updatedAt - a.updatedAt)[0];
    }
    const fallback = baseline ?? found?.baseline ?? this.#likelyBaseline(target.name, target.version);
    return {
      model: target.name, version: target.version, baseline: fallback ?? null,
      pairs: found?.pairs ?? 0, samples: found?.samples ?? 0, agreement: found?.agreement ?? null, meanAbsDiff: found?.meanAbsDiff ?? null,
      outputDrift: found?.outputDrift ?? null,
    };
  }

  #likelyBaseline(model: string, version: string): string | undefined {
    const routes = [...(this.router.policy(model)?.routes ?? [])].filter((r) => r.version !== version).sort((a, b) => b.weight - a.weight);
    if (routes[0]) return routes[0].version;
    const fallback = this.repository.resolve(model).version;
    return fallback === version ? undefined : fallback;
  }

  #model(model: string): string {
    return this.repository.resolve(model).name; // MODEL_NOT_FOUND
  }

  #facts(model: string) {
    return { versions: this.repository.versions(model), isRoutable: (version: string) => isRoutable(this.repository, model, version) };
  }

  /** A stored policy about to be restored is checked like a new one. */
  #recheck(model: string, spec: TrafficPolicySpec): void {
    checkTrafficPolicy(model, { routes: spec.routes, sticky: spec.sticky, rules: spec.rules, shadow: spec.shadow }, this.#facts(model));
  }

  /** Applies a write to this API's router now; a failed re-read is left to the change channel and the periodic refresh. */
  async #apply(model: string): Promise<void> {
    await this.router.refreshModel(model).catch(() => {});
  }

  #call<T>(operation: () => Promise<T>): Promise<T> {
    return redisCall(this.redis, this.timeoutMs, operation);
  }
}

function emptyAnswer(): TrafficPolicyAnswer {
  return { revision: 0, routes: [], sticky: false, rules: [], shadow: null, updatedAt: 0 };
}

/** Parses an `If-Match` header: `"3"`, `3` or `W/"3"`; `*` or absent = no condition. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] ?? '' : header).trim();
  if (value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value);
  if (!match) throw new InferqError('INVALID_REQUEST', 'header If-Match must be the traffic policy revision (its ETag, e.g. "3")');
  return Number(match[1]);
}
