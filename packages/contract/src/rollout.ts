/**
 * Progressive rollouts (issue 13, part 3): the `POST /v1/models/{model}/rollouts` body, the
 * rollout record every route answers, and the per-version live figures the gates read. One
 * declaration each: the TypeBox schema is the static type, the HTTP validator and the OpenAPI
 * schema.
 *
 * A rollout moves a candidate version's traffic weight through `steps` (percent, increasing, the
 * last one 100). Each step lasts at least `stepSeconds`; it advances once the candidate has served
 * `gates.minSamples` predictions since the step began and every gate passes. A failing gate rolls
 * the traffic policy back to the revision from before the rollout (`rolled_back`, with the reason).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ERROR_MESSAGE, StringEnum } from './schema-validator.js';

/** Most steps one rollout may have. */
export const MAX_ROLLOUT_STEPS = 20;
/** Longest step, seconds (one week). */
export const MAX_STEP_SECONDS = 7 * 86_400;

const Share = (what: string) => Type.Number({ minimum: 0, maximum: 1, [ERROR_MESSAGE]: `${what} must be a number in [0, 1]` });

/** The gates checked on the candidate's figures since its step began. Absent gate = not checked. */
export const RolloutGates = Type.Object({
  /** Largest share of failed predictions (failed + expired over all ended). */
  maxErrorRate: Type.Optional(Share('maxErrorRate')),
  /** Largest p95 of the end-to-end latency (acceptance → result stored), ms. */
  maxLatencyP95Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3_600_000, [ERROR_MESSAGE]: 'maxLatencyP95Ms must be a number in (0, 3600000]' })),
  /** Smallest agreement (same class) with the baseline over the mirrored pairs of the step. */
  minAgreement: Type.Optional(Share('minAgreement')),
  /** Predictions (and, with minAgreement, pairs) needed before a step is judged. @defaultValue 100 */
  minSamples: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, [ERROR_MESSAGE]: 'minSamples must be an integer in [1, 10000000]' })),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'gates must be an object of maxErrorRate, maxLatencyP95Ms, minAgreement, minSamples' });
export type RolloutGates = Static<typeof RolloutGates>;

/** Default of `gates.minSamples`. */
export const DEFAULT_MIN_SAMPLES = 100;
/** Default of `stepSeconds`. */
export const DEFAULT_STEP_SECONDS = 60;

const Percent = Type.Integer({ minimum: 1, maximum: 100, [ERROR_MESSAGE]: 'must be an integer percent in [1, 100]' });

/** Body of `POST /v1/models/{model}/rollouts`. */
export const RolloutRequest = Type.Object({
  /** The candidate version (READY; not the one serving all traffic now). */
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647, [ERROR_MESSAGE]: 'version must be a positive integer' }),
  /** Candidate weights, percent, strictly increasing, ending at 100. `[100]` = blue-green. */
  steps: Type.Array(Percent, { minItems: 1, maxItems: MAX_ROLLOUT_STEPS, [ERROR_MESSAGE]: `steps must be an array of 1 to ${MAX_ROLLOUT_STEPS} integer percents` }),
  /** Least time per step, seconds. @defaultValue 60 */
  stepSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_STEP_SECONDS, [ERROR_MESSAGE]: `stepSeconds must be an integer in [1, ${MAX_STEP_SECONDS}]` })),
  gates: Type.Optional(RolloutGates),
  /** Steps (values of `steps`) that wait for `POST .../approve` before they are applied. @defaultValue [] */
  approval: Type.Optional(Type.Array(Percent, { maxItems: MAX_ROLLOUT_STEPS, [ERROR_MESSAGE]: 'approval must be an array of values of steps' })),
  /**
   * Share of the baseline's requests mirrored to the candidate (shadow) while the candidate has
   * less than 100 %: the pairs the agreement gate reads. @defaultValue 100 with minAgreement, else 0
   */
  shadowPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, [ERROR_MESSAGE]: 'shadowPercent must be an integer in [0, 100]' })),
}, { additionalProperties: false, [ERROR_MESSAGE]: 'must be a JSON object with version and steps' });
export type RolloutRequest = Static<typeof RolloutRequest>;

/** Life cycle: running ⇄ paused, running → waiting_approval → running, then one of the three final states. */
export const ROLLOUT_STATUSES = ['running', 'paused', 'waiting_approval', 'succeeded', 'rolled_back', 'aborted'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];
/** Statuses after which a rollout never changes (another one may start). */
export const FINAL_ROLLOUT_STATUSES: ReadonlySet<RolloutStatus> = new Set(['succeeded', 'rolled_back', 'aborted']);

/** The candidate's figures over one step, as judged (kept in the step history). */
export const StepFigures = Type.Object({
  samples: Type.Integer(),
  errorRate: Type.Number(),
  latencyP95Ms: Type.Number(),
  pairs: Type.Integer(),
  agreement: Type.Optional(Type.Number()),
});
export type StepFigures = Static<typeof StepFigures>;

/** One event of a rollout's history. */
export const RolloutEvent = Type.Object({
  at: Type.Integer({ description: 'Epoch ms.' }),
  event: StringEnum(['started', 'step', 'waiting_approval', 'approved', 'paused', 'resumed', 'succeeded', 'rolled_back', 'aborted']),
  step: Type.Integer(),
  weight: Type.Integer(),
  revision: Type.Optional(Type.Integer({ description: 'Traffic policy revision written by this event.' })),
  figures: Type.Optional(StepFigures),
  /** The gate that failed (rolled_back): its name, the step's value and the limit. */
  gate: Type.Optional(Type.Object({ name: Type.String(), value: Type.Number(), limit: Type.Number() })),
  reason: Type.Optional(Type.String()),
});
export type RolloutEvent = Static<typeof RolloutEvent>;

/** A rollout as answered by every rollout route and stored in Redis. */
export const Rollout = Type.Object({
  id: Type.String(),
  model: Type.String(),
  /** Candidate version. */
  version: Type.Integer(),
  /** Version serving the rest of the traffic (the one with the most weight before the rollout). */
  baseline: Type.Integer(),
  status: StringEnum(ROLLOUT_STATUSES),
  /** 1-based index into `steps` of the step in force; 0 before the first step is applied (it waits for approval). */
  step: Type.Integer(),
  /** Candidate weight in force, percent. */
  weight: Type.Integer(),
  steps: Type.Array(Type.Integer()),
  stepSeconds: Type.Integer(),
  gates: RolloutGates,
  approval: Type.Array(Type.Integer()),
  shadowPercent: Type.Integer(),
  /** Why it is where it is (the failing gate with value and limit, what it waits for, who stopped it). */
  reason: Type.Optional(Type.String()),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  /** When the step in force began (its samples count from here). */
  stepStartedAt: Type.Integer(),
  /** Traffic policy revision from before the rollout: a rollback restores it. */
  baseRevision: Type.Integer(),
  /** Traffic policy revision this rollout wrote last: any other means someone changed traffic. */
  revision: Type.Integer(),
  history: Type.Array(RolloutEvent),
}, { $id: 'Rollout' });
export type Rollout = Static<typeof Rollout>;

/** Live figures of one model version over a sliding window (worker-written per-second buckets). */
export const VersionStats = Type.Object({
  model: Type.String(),
  version: Type.String(),
  /** Window length, seconds. */
  windowSeconds: Type.Integer(),
  /** Predictions that ended (completed + failed + expired) in the window. */
  requests: Type.Integer(),
  requestsPerSecond: Type.Number(),
  errors: Type.Integer(),
  errorRate: Type.Number(),
  /** End-to-end latency percentiles of completed predictions, ms (bucket upper bounds, ≤ 10 % high). */
  latencyMs: Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number() }),
  /** Share of rows per predicted class (label name when the model has labels, else index). */
  classShares: Type.Record(Type.String(), Type.Number()),
}, { $id: 'VersionStats' });
export type VersionStats = Static<typeof VersionStats>;
