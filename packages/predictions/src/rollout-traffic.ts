import type { Redis } from 'ioredis';
import { InferqError, type RedisKeys } from '@inferq/contract';
import { heaviestRoute } from './rollout-engine.js';
import type { PairCounters, RolloutTrafficPolicy, TrafficControl, TrafficState } from './traffic-control.js';
import { specOf, type TrafficPolicyStore } from './traffic-policy-store.js';

/** What the adapter knows of a model's versions (the repository, or model control's states). */
export interface RolloutVersionFacts {
  /** The model's versions (any state). */
  versions(model: string): readonly string[];
  /** True when the version can serve now (READY). */
  isReady(model: string, version: string): boolean;
  /** The version that serves requests when no policy routes them; undefined when none. */
  defaultVersion(model: string): string | undefined;
}

/**
 * The traffic policy store (traffic-policy-store.ts) as the rollout engine uses it: version
 * strings become numbers (the rollout body's form), every write is If-Match on the revision the
 * rollout wrote last (`PRECONDITION_FAILED` → undefined, "someone else wrote"), the actor is
 * `rollout`, and the pair counters are the comparison hash the workers fill for shadowed and
 * split pairs (`{prefix}:comparison:{model}:{version}:{baseline}`).
 */
export function storeTrafficControl(store: TrafficPolicyStore, redis: Redis, keys: RedisKeys, facts: RolloutVersionFacts): TrafficControl {
  return {
    async read(model): Promise<TrafficState> {
      const stored = await store.get(model);
      const spec = stored ? specOf(stored) : { routes: [], sticky: false, rules: [], shadow: null };
      const policy: RolloutTrafficPolicy = {
        ...spec,
        routes: spec.routes.map((r) => ({ version: Number(r.version), weight: r.weight })),
        shadow: spec.shadow ? { version: Number(spec.shadow.version), percent: spec.shadow.percent } : null,
      };
      let primary = heaviestRoute(policy);
      if (primary === undefined) {
        const fallback = facts.defaultVersion(model);
        if (fallback !== undefined) primary = Number(fallback);
      }
      return { revision: stored?.revision ?? 0, policy, primary };
    },
    async write(model, policy, ifMatch, reason) {
      try {
        const written = await store.put(model, {
          routes: policy.routes.map((r) => ({ version: String(r.version), weight: r.weight })),
          sticky: policy.sticky === true,
          rules: (policy.rules ?? []) as Parameters<TrafficPolicyStore['put']>[1]['rules'],
          shadow: policy.shadow ? { version: String(policy.shadow.version), percent: policy.shadow.percent } : null,
        }, { ifMatch, actor: 'rollout', reason: reason.slice(0, 500) });
        return written.revision;
      } catch (error) {
        if (error instanceof InferqError && error.code === 'PRECONDITION_FAILED') return undefined;
        throw error;
      }
    },
    async versionState(model, version) {
      const name = String(version);
      if (!facts.versions(model).includes(name)) return 'missing';
      return facts.isReady(model, name) ? 'ready' : 'not_ready';
    },
    async pairs(model, version, baseline): Promise<PairCounters> {
      const [samples, agreements] = await redis.hmget(keys.comparison(model, String(version), String(baseline)), 'samples', 'agreements');
      return { samples: Number(samples ?? 0) || 0, agreeing: Number(agreements ?? 0) || 0 };
    },
  };
}
