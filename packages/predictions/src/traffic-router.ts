/**
 * The pure router of traffic policies: which version serves a request that names none, and
 * whether it is also mirrored to the shadow version. No I/O; the caller handles pinned requests
 * (a version in the path) and the default version (when this answers undefined).
 */
import { ROUTING_KEY_HEADER, ROUTING_KEY_PARAMETER, type TrafficPolicy, type TrafficRoute } from '@inferq/contract';

/** What the router looks at. */
export interface RoutingInput {
  /** The routing key (sticky A/B); when absent, taken from the headers or parameters. */
  routingKey?: string | undefined;
  /** Request headers, names lower-case (as Node gives them). */
  headers?: Readonly<Record<string, string | string[] | undefined>> | undefined;
  /** Request parameters (`parameters` of the body). */
  parameters?: Readonly<Record<string, unknown>> | undefined;
}

/** The router's answer. */
export interface RouteDecision {
  version: string;
  route: Exclude<TrafficRoute, 'pinned' | 'default'>;
}

/** A uniform draw in [0, 1); injected so tests and benchmarks can fix it. */
export type RandomSource = () => number;

/**
 * Decides the version of an unpinned request under `policy`: the first matching rule, else (with
 * routes) the sticky bucket of its routing key or a weighted draw. Undefined = the model's
 * default version serves (no policy, or no routes and no rule matched).
 */
export function routeRequest(policy: TrafficPolicy | undefined, input: RoutingInput, random: RandomSource = Math.random): RouteDecision | undefined {
  if (!policy) return undefined;
  for (const rule of policy.rules) {
    if (ruleMatches(rule.when, input)) return { version: rule.version, route: 'rule' };
  }
  if (policy.routes.length === 0) return undefined;
  if (policy.sticky) {
    const key = routingKeyOf(input);
    if (key !== undefined) return { version: versionAt(policy, stickyBucket(key, policy.revision)), route: 'sticky' };
  }
  return { version: versionAt(policy, Math.floor(random() * 100)), route: 'weight' };
}

/**
 * Whether a request served by `servedBy` is also mirrored: the policy has a shadow other than
 * `servedBy`, and the draw falls inside its percent.
 */
export function shadowVersion(policy: TrafficPolicy | undefined, servedBy: string, random: RandomSource = Math.random): string | undefined {
  const shadow = policy?.shadow;
  if (!shadow || shadow.percent <= 0 || shadow.version === servedBy) return undefined;
  return shadow.percent >= 100 || random() * 100 < shadow.percent ? shadow.version : undefined;
}

/** The routing key of a request: the `X-Routing-Key` header, else `parameters.routing_key`. */
export function routingKeyOf(input: RoutingInput): string | undefined {
  if (input.routingKey !== undefined) return input.routingKey;
  const header = input.headers?.[ROUTING_KEY_HEADER];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader !== undefined && fromHeader !== '') return fromHeader;
  const parameter = input.parameters?.[ROUTING_KEY_PARAMETER];
  if (typeof parameter === 'string' && parameter !== '') return parameter;
  if (typeof parameter === 'number' && Number.isFinite(parameter)) return String(parameter);
  return undefined;
}

/**
 * The bucket 0..99 of a routing key under one revision: FNV-1a (32 bit) of `key:revision`. A fast
 * non-crypto hash is enough (the key is the client's own, nothing to protect); salting with the
 * revision reshuffles keys on each policy change, so no group stays the canary forever.
 */
export function stickyBucket(key: string, revision: number): number {
  let hash = 0x811c9dc5;
  const salted = `${key}:${revision}`;
  for (let i = 0; i < salted.length; i++) {
    hash ^= salted.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche (murmur3 fmix32): FNV's low bits alone cluster for keys differing in their last character.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % 100;
}

/** The route whose cumulative weight range holds `bucket` (0..99); weights sum to 100. */
function versionAt(policy: TrafficPolicy, bucket: number): string {
  let upTo = 0;
  for (const route of policy.routes) {
    upTo += route.weight;
    if (bucket < upTo) return route.version;
  }
  // Unreachable for a checked policy (weights sum to 100); the last route is the safe answer.
  return policy.routes[policy.routes.length - 1]!.version;
}

type Condition = TrafficPolicy['rules'][number]['when'];

function ruleMatches(when: Condition, input: RoutingInput): boolean {
  if (when.header) {
    for (const name in when.header) {
      const raw = input.headers?.[name];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value === undefined || !matches(when.header[name]!, (wanted) => value === String(wanted))) return false;
    }
  }
  if (when.parameter) {
    for (const name in when.parameter) {
      const value = input.parameters?.[name];
      if (value === undefined || !matches(when.parameter[name]!, (wanted) => value === wanted)) return false;
    }
  }
  return true;
}

type ConditionValue = string | number | boolean | Array<string | number | boolean>;

/**
 * Equals, or in-list. A header is text, so it equals a rule value written as a number or boolean
 * when their text matches; a parameter is strict on type (`1` is not `"1"`).
 */
function matches(wanted: ConditionValue, equal: (one: string | number | boolean) => boolean): boolean {
  return Array.isArray(wanted) ? wanted.some(equal) : equal(wanted);
}
