/**
 * Traffic policies (issue 13, part 2): which version serves a request that names none.
 *
 * `PUT /v1/models/{model}/traffic` takes a {@link TrafficPolicyBody}; the store keeps a
 * {@link TrafficPolicy} (the body normalised, plus its revision) in `{prefix}:traffic:{model}` and
 * every revision in `{prefix}:traffic-history:{model}` (see redis-keys.ts). Versions are integers
 * on the wire in (as clients write them) and strings once stored, as the model repository and the
 * prediction record name them.
 *
 * Order of decision for a request without a version: rules (first match wins) → sticky (a routing
 * key hashed with the revision) → weights (uniform draw) → the model's default version when the
 * policy has no routes. A request naming a version (`/versions/{v}`) bypasses the policy.
 */
import { Type, type Static } from '@sinclair/typebox';
import { compileValidator, ERROR_MESSAGE, StringEnum } from './schema-validator.js';

/** Most routes (weighted versions) one policy may list. */
export const MAX_TRAFFIC_ROUTES = 16;
/** Most rules one policy may list. */
export const MAX_TRAFFIC_RULES = 64;
/** Most values one condition may list. */
export const MAX_RULE_VALUES = 64;
/** Most conditions (header + parameter names) one rule may hold. */
export const MAX_RULE_CONDITIONS = 8;
/** Revisions kept in the history list. */
export const TRAFFIC_HISTORY_MAX = 100;

/** Header a client sends to be routed stickily (also `parameters.routing_key`). */
export const ROUTING_KEY_HEADER = 'x-routing-key';
/** Request parameter carrying a routing key. */
export const ROUTING_KEY_PARAMETER = 'routing_key';

/** A version as written in a PUT body: an integer (or its decimal string). */
export const VersionRef = Type.Union([
  Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }),
  Type.String({ pattern: '^[0-9]{1,10}$' }),
], { [ERROR_MESSAGE]: 'must be a version number (a non-negative integer)' });

const Weight = Type.Integer({ minimum: 0, maximum: 100, [ERROR_MESSAGE]: 'must be an integer in [0, 100]' });
const Percent = Type.Number({ minimum: 0, maximum: 100, [ERROR_MESSAGE]: 'must be a number in [0, 100]' });

/** A value a condition compares with: a scalar, or a list (in-list). */
const ConditionScalar = Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean()]);
const ConditionValue = Type.Union([
  ConditionScalar,
  Type.Array(ConditionScalar, { minItems: 1, maxItems: MAX_RULE_VALUES }),
], { [ERROR_MESSAGE]: `must be a string, number or boolean, or a list of 1 to ${MAX_RULE_VALUES} of them` });
const Conditions = Type.Record(Type.String({ minLength: 1, maxLength: 128 }), ConditionValue, {
  minProperties: 1, maxProperties: MAX_RULE_CONDITIONS,
  [ERROR_MESSAGE]: `must be an object of 1 to ${MAX_RULE_CONDITIONS} name: value(s) conditions`,
});

/** When a rule applies: every condition given must hold (header names are case-insensitive). */
export const RuleCondition = Type.Object({
  header: Type.Optional(Conditions),
  parameter: Type.Optional(Conditions),
}, { additionalProperties: false, minProperties: 1, [ERROR_MESSAGE]: 'must be an object with "header" and/or "parameter" conditions' });
export type RuleCondition = Static<typeof RuleCondition>;

/** `PUT /v1/models/{model}/traffic` body (names fixed by issue 13). */
export const TrafficPolicyBody = Type.Object({
  routes: Type.Array(Type.Object({ version: VersionRef, weight: Weight }, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object {version, weight}' }), {
    maxItems: MAX_TRAFFIC_ROUTES, [ERROR_MESSAGE]: `must be a list of at most ${MAX_TRAFFIC_ROUTES} {version, weight}`,
  }),
  sticky: Type.Optional(Type.Boolean({ [ERROR_MESSAGE]: 'must be true or false' })),
  rules: Type.Optional(Type.Array(Type.Object({ when: RuleCondition, version: VersionRef }, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object {when, version}' }), {
    maxItems: MAX_TRAFFIC_RULES, [ERROR_MESSAGE]: `must be a list of at most ${MAX_TRAFFIC_RULES} {when, version}`,
  })),
  shadow: Type.Optional(Type.Union([
    Type.Null(),
    Type.Object({ version: VersionRef, percent: Percent }, { additionalProperties: false }),
  ], { [ERROR_MESSAGE]: 'must be null or an object {version, percent}' })),
  /** Why the change (kept in the history). */
  reason: Type.Optional(Type.String({ maxLength: 500, [ERROR_MESSAGE]: 'must be a string of at most 500 characters' })),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be a JSON object {routes, sticky?, rules?, shadow?, reason?}' });
export type TrafficPolicyBody = Static<typeof TrafficPolicyBody>;

const StoredCondition = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]))]);

/** The stored form: the body with version strings, lower-cased header names and a revision. */
export const TrafficPolicy = Type.Object({
  /** 1, 2, 3, … per model; never reused (a cleared policy is a revision too). */
  revision: Type.Integer({ minimum: 1 }),
  routes: Type.Array(Type.Object({ version: Type.String(), weight: Type.Integer() })),
  sticky: Type.Boolean(),
  rules: Type.Array(Type.Object({
    when: Type.Object({
      header: Type.Optional(Type.Record(Type.String(), StoredCondition)),
      parameter: Type.Optional(Type.Record(Type.String(), StoredCondition)),
    }),
    version: Type.String(),
  })),
  /** Mirror `percent` % of routed requests to `version`; null = none. */
  shadow: Type.Union([Type.Null(), Type.Object({ version: Type.String(), percent: Type.Number() })]),
  /** Epoch ms of the write. */
  updatedAt: Type.Integer(),
  /** Who wrote it (API key id / name, or a rollout id). */
  actor: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  /** Set when this revision restored an earlier one (rollback). */
  restoredFrom: Type.Optional(Type.Integer()),
});
export type TrafficPolicy = Static<typeof TrafficPolicy>;

/** The content of a policy, without what the store adds. */
export type TrafficPolicySpec = Pick<TrafficPolicy, 'routes' | 'sticky' | 'rules' | 'shadow'>;

/** Why a request went to its version. */
export const TRAFFIC_ROUTES = ['pinned', 'rule', 'sticky', 'weight', 'default'] as const;
export type TrafficRoute = (typeof TRAFFIC_ROUTES)[number];
export const TrafficRouteSchema = StringEnum(TRAFFIC_ROUTES);

/** Announced on `{prefix}:events:traffic` after every write: re-read that model's policy. */
export interface TrafficChange {
  model: string;
  /** The new revision (0 when unknown). */
  revision: number;
}

/** The shadow outcome written into a primary's record once its shadow run ends. */
export const ShadowOutcome = Type.Object({
  version: Type.String(),
  status: Type.String(),
  /** The shadow prediction's own id. */
  id: Type.Optional(Type.String()),
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(Type.Unknown()),
});
export type ShadowOutcome = Static<typeof ShadowOutcome>;

export const trafficPolicyBodyValidator = compileValidator(TrafficPolicyBody);
export const trafficPolicyValidator = compileValidator(TrafficPolicy);
