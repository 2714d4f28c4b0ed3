/**
 * What the rollout engine needs of the traffic policy (issue 13 part 2, `PUT
 * /v1/models/{m}/traffic`): read the policy in force with its revision, write one with If-Match
 * on a revision, the READY check of a version, and the shadow/split pair counters. The traffic
 * store implements it through `storeTrafficControl` (rollout-traffic.ts).
 */

/** A weighted route of a traffic policy. */
export interface WeightedRoute {
  version: number;
  weight: number;
}

/**
 * The part of a traffic policy body a rollout reads and writes: `routes` and `shadow`. Other
 * fields (`sticky`, `rules`) are carried over unchanged.
 */
export interface RolloutTrafficPolicy {
  routes: WeightedRoute[];
  shadow?: { version: number; percent: number } | null | undefined;
  [field: string]: unknown;
}

/** The policy in force. */
export interface TrafficState {
  /** 0 when no policy was ever written. */
  revision: number;
  /** The policy as stored (no routes: the default version serves everything). */
  policy: RolloutTrafficPolicy;
  /** The version with the most weight, or the default version when the policy has no routes. */
  primary: number | undefined;
}

/** Cumulative pair counters of a version against the version it was compared with. */
export interface PairCounters {
  /** Pairs compared so far. */
  samples: number;
  /** Pairs whose class (label / argmax) was the same. */
  agreeing: number;
}

/** The traffic store as the rollout engine uses it. */
export interface TrafficControl {
  read(model: string): Promise<TrafficState>;
  /** Writes `policy` if the revision in force is `ifMatch`; the new revision, or undefined when another write came first. */
  write(model: string, policy: RolloutTrafficPolicy, ifMatch: number, reason: string): Promise<number | undefined>;
  /** Whether `version` of `model` exists ('missing') and can take traffic ('ready'). */
  versionState(model: string, version: number): Promise<'ready' | 'not_ready' | 'missing'>;
  /** Pair counters of `version` (candidate) against `baseline` so far; zeros when none. */
  pairs(model: string, version: number, baseline: number): Promise<PairCounters>;
}
