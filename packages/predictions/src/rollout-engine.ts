import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_STEP_SECONDS, FINAL_ROLLOUT_STATUSES, InferqError, type RedisKeys, type Rollout, type RolloutEvent, type RolloutRequest, type StepFigures } from '@inferq/contract';
import { redisScript, type RedisScript } from '@inferq/redis';
import { judgeStep, rolloutBodyProblem } from './rollout-gates.js';
import { newRolloutId, type RolloutStore, type StoredRollout, type VersionedRollout } from './rollout-store.js';
import type { TrafficControl, RolloutTrafficPolicy } from './traffic-control.js';
import { latencyQuantile, type VersionStatsStore } from './version-stats-store.js';

/** Life of the per-model mutation lock, ms: a holder that died frees it after this. */
const MUTATION_LOCK_MS = 10_000;
/** Longest an API action waits for the mutation lock before answering ROLLOUT_STATE_CONFLICT. */
const LOCK_WAIT_MS = 3_000;
/** Events kept in a rollout's history. */
const MAX_HISTORY = 200;

/** Settings of the engine. */
export interface RolloutEngineOptions {
  /** Clock (tests). @defaultValue Date.now */
  now?: () => number;
  /** Called once a rollout was rolled back by a failing gate (the monitor raises an alert). */
  onRolledBack?: (rollout: Rollout, event: RolloutEvent) => Promise<void> | void;
}

type Change = (rollout: StoredRollout) => Promise<StoredRollout | undefined>;

/** The answer form of a stored rollout (the driver's internals left out). */
export function publicRollout(stored: StoredRollout): Rollout {
  const { basePolicy: _basePolicy, pairsAtStepStart: _pairs, pausedFrom: _pausedFrom, ...rollout } = stored;
  return rollout;
}

/**
 * The rollout state machine (see contract/rollout.ts). `start`, `approve`, `pause`, `resume` and
 * `abort` are called by the API; `tick` by the one monitor holding the leader lock. Every change
 * of a model's active rollout runs under that model's mutation lock and ends with a
 * compare-and-set, and every traffic write carries If-Match with the revision the rollout wrote
 * last: a policy changed by anyone else aborts the rollout instead of being overwritten.
 */
export class RolloutEngine {
  readonly #keys: RedisKeys;
  readonly #store: RolloutStore;
  readonly #traffic: TrafficControl;
  readonly #stats: VersionStatsStore;
  readonly #now: () => number;
  readonly #onRolledBack: RolloutEngineOptions['onRolledBack'];
  readonly #acquire: RedisScript<number>;
  readonly #release: RedisScript<number>;

  constructor(redis: Redis, keys: RedisKeys, store: RolloutStore, traffic: TrafficControl, stats: VersionStatsStore, options: RolloutEngineOptions = {}) {
    this.#keys = keys;
    this.#store = store;
    this.#traffic = traffic;
    this.#stats = stats;
    this.#now = options.now ?? Date.now;
    this.#onRolledBack = options.onRolledBack;
    this.#acquire = redisScript(redis, 'leader-lock-1.lua');
    this.#release = redisScript(redis, 'lock-release-1.lua');
  }

  /** Starts a rollout and applies its first step (or waits for its approval). */
  async start(model: string, body: RolloutRequest): Promise<Rollout> {
    const approval = [...new Set(body.approval ?? [])].sort((a, b) => a - b);
    const problem = rolloutBodyProblem(body.steps, approval);
    if (problem) throw new InferqError('INVALID_ROLLOUT', problem);
    const state = await this.#traffic.versionState(model, body.version);
    if (state === 'missing') throw new InferqError('VERSION_NOT_FOUND', `version: model "${model}" has no version ${body.version}`);
    if (state === 'not_ready') throw new InferqError('VERSION_NOT_READY', `version: version ${body.version} of "${model}" is not READY; load it first`);
    const activeId = await this.#store.activeId(model);
    if (activeId !== undefined) throw new InferqError('ROLLOUT_CONFLICT', `model "${model}" already has an active rollout (${activeId})`);
    const current = await this.#traffic.read(model);
    const baseline = current.primary;
    if (baseline === undefined) throw new InferqError('INVALID_ROLLOUT', `model "${model}" has no version serving traffic to roll out from`);
    if (baseline === body.version) throw new InferqError('INVALID_ROLLOUT', `version: version ${body.version} already has the most traffic of "${model}"; roll out another version`);
    const now = this.#now();
    const gates = { ...body.gates };
    const rollout: StoredRollout = {
      id: newRolloutId(now), model, version: body.version, baseline, status: 'running', step: 0, weight: 0,
      steps: [...body.steps], stepSeconds: body.stepSeconds ?? DEFAULT_STEP_SECONDS, gates, approval,
      shadowPercent: body.shadowPercent ?? (gates.minAgreement !== undefined ? 100 : 0),
      createdAt: now, updatedAt: now, stepStartedAt: now, baseRevision: current.revision, revision: current.revision,
      history: [{ at: now, event: 'started', step: 0, weight: 0, revision: current.revision }],
      basePolicy: current.policy, pairsAtStepStart: { samples: 0, agreeing: 0 },
    };
    const created = await this.#store.create(rollout);
    if (!created.created) throw new InferqError('ROLLOUT_CONFLICT', `model "${model}" already has an active rollout (${created.activeId})`);
    const started = await this.#change(model, rollout.id, (r) => this.#enterStep(r, 1), { wait: true });
    return publicRollout(started ?? rollout);
  }

  /** A rollout of the model. */
  async get(model: string, id: string): Promise<Rollout> {
    const found = await this.#store.get(model, id);
    if (!found) throw new InferqError('ROLLOUT_NOT_FOUND', `model "${model}" has no rollout "${id}"`);
    return publicRollout(found.rollout);
  }

  /** The model's rollouts, newest first (`limit`: at most that many). */
  async list(model: string, limit?: number): Promise<Rollout[]> {
    return (await this.#store.list(model, limit)).map(publicRollout);
  }

  /** Applies the step waiting for approval. */
  approve(model: string, id: string): Promise<Rollout> {
    return this.#action(model, id, ['waiting_approval'], 'approve', async (r) => this.#applyStep(log(r, this.#now(), 'approved'), r.step + 1));
  }

  /** Stops the step clock; weights stay as they are. */
  pause(model: string, id: string): Promise<Rollout> {
    return this.#action(model, id, ['running', 'waiting_approval'], 'pause', async (r) => {
      const paused: StoredRollout = { ...r, status: 'paused', pausedFrom: r.status === 'waiting_approval' ? 'waiting_approval' : 'running', reason: 'paused by request' };
      return log(paused, this.#now(), 'paused');
    });
  }

  /** Continues a paused rollout; a running step starts its clock and its samples again. */
  resume(model: string, id: string): Promise<Rollout> {
    return this.#action(model, id, ['paused'], 'resume', async (r) => {
      const { pausedFrom = 'running', ...rest } = r;
      const resumed: StoredRollout = { ...rest, status: pausedFrom };
      delete resumed.reason;
      if (pausedFrom === 'running') {
        resumed.stepStartedAt = this.#now();
        resumed.pairsAtStepStart = await this.#traffic.pairs(r.model, r.version, r.baseline);
      } else {
        resumed.reason = approvalReason(r);
      }
      return log(resumed, this.#now(), 'resumed');
    });
  }

  /** Ends the rollout and restores the traffic policy from before it (unless someone changed it since). */
  abort(model: string, id: string): Promise<Rollout> {
    return this.#action(model, id, ['running', 'paused', 'waiting_approval'], 'abort', async (r) => {
      const revision = await this.#traffic.write(r.model, r.basePolicy as RolloutTrafficPolicy, r.revision, `rollout ${r.id} aborted`);
      if (revision === undefined) return this.#finish(r, 'aborted', 'aborted by request; the traffic policy was changed outside the rollout and is left as it is');
      return this.#finish({ ...r, revision, weight: 0 }, 'aborted', `aborted by request; traffic restored to the policy of revision ${r.baseRevision} (now revision ${revision})`);
    });
  }

  /**
   * One step of the state machine for the model's active rollout (the driver calls it every
   * tick): abort when traffic changed outside the rollout; roll back on a failing gate; advance
   * (or wait for approval, or succeed) once the step ran `stepSeconds` and its gates pass.
   */
  async tick(model: string): Promise<Rollout | undefined> {
    const id = await this.#store.activeId(model);
    if (id === undefined) return undefined;
    const changed = await this.#change(model, id, (r) => this.#decide(r), { wait: false });
    if (!changed) return undefined;
    const rollout = publicRollout(changed);
    // After the lock is released: an alert webhook must not hold rollouts up.
    if (rollout.status === 'rolled_back') await this.#notifyRolledBack(rollout);
    return rollout;
  }

  /** Ticks every model with an active rollout; errors of one model do not stop the others. */
  async tickAll(onError: (model: string, error: Error) => void): Promise<void> {
    for (const model of await this.#store.activeModels()) {
      try {
        await this.tick(model);
      } catch (error) {
        onError(model, error as Error);
      }
    }
  }

  async #decide(r: StoredRollout): Promise<StoredRollout | undefined> {
    if (r.status !== 'running') return undefined;
    const now = this.#now();
    const current = await this.#traffic.read(r.model);
    if (current.revision !== r.revision) {
      return this.#finish(r, 'aborted', `traffic changed outside the rollout (revision ${current.revision}; the rollout wrote ${r.revision}); the policy is left as it is`);
    }
    const figures = await this.#figures(r, now);
    // A candidate that can no longer serve (unloaded, failed) gets no more traffic: roll back.
    const state = await this.#traffic.versionState(r.model, r.version);
    if (state !== 'ready') {
      const reason = `version ${r.version} is no longer READY (${state})`;
      const revision = await this.#traffic.write(r.model, r.basePolicy as RolloutTrafficPolicy, r.revision, `rollout ${r.id} rolled back: ${reason}`);
      if (revision === undefined) return this.#finish(r, 'aborted', `${reason}; but the traffic policy changed outside the rollout, so it was not rolled back`);
      return this.#finish({ ...r, revision, weight: 0 }, 'rolled_back', `${reason} at step ${r.step} (${r.weight} %); traffic rolled back to the policy of revision ${r.baseRevision} (now revision ${revision})`, figures);
    }
    const verdict = judgeStep(r.gates, figures, r.weight < 100);
    if (verdict.verdict === 'fail') {
      const revision = await this.#traffic.write(r.model, r.basePolicy as RolloutTrafficPolicy, r.revision, `rollout ${r.id} rolled back: ${verdict.reason}`);
      if (revision === undefined) return this.#finish(r, 'aborted', `${verdict.reason}; but the traffic policy changed outside the rollout, so it was not rolled back`);
      return this.#finish({ ...r, revision, weight: 0 }, 'rolled_back', `${verdict.reason} at step ${r.step} (${r.weight} %); traffic rolled back to the policy of revision ${r.baseRevision} (now revision ${revision})`, figures, { name: verdict.gate, value: verdict.value, limit: verdict.limit });
    }
    if (verdict.verdict === 'wait') return r.reason === verdict.reason ? undefined : { ...r, reason: verdict.reason };
    if (now - r.stepStartedAt < r.stepSeconds * 1000) {
      const reason = `step ${r.step} (${r.weight} %): gates pass; next step after ${r.stepSeconds} s`;
      return r.reason === reason ? undefined : { ...r, reason };
    }
    if (r.step >= r.steps.length) return this.#finish(log(r, now, 'step', figures), 'succeeded', `every step passed its gates; version ${r.version} serves 100 %`);
    return this.#enterStep(log(r, now, 'step', figures, `step ${r.step} (${r.weight} %) passed its gates`), r.step + 1);
  }

  /** Moves to step `step` (1-based): waits for approval when it needs one, else applies it. */
  async #enterStep(r: StoredRollout, step: number): Promise<StoredRollout> {
    const weight = r.steps[step - 1]!;
    if (r.approval.includes(weight)) {
      const waiting: StoredRollout = { ...r, status: 'waiting_approval' };
      waiting.reason = approvalReason(waiting);
      return log(waiting, this.#now(), 'waiting_approval');
    }
    return this.#applyStep(r, step);
  }

  /** Writes the weights of step `step` (If-Match on the rollout's revision) and starts its clock. */
  async #applyStep(r: StoredRollout, step: number): Promise<StoredRollout> {
    const weight = r.steps[step - 1]!;
    const policy = stepPolicy(r, weight);
    const revision = await this.#traffic.write(r.model, policy, r.revision, `rollout ${r.id} step ${step}: version ${r.version} at ${weight} %`);
    if (revision === undefined) {
      return this.#finish(r, 'aborted', `traffic changed outside the rollout before step ${step} could be applied; the policy is left as it is`);
    }
    const now = this.#now();
    const next: StoredRollout = {
      ...r, status: 'running', step, weight, revision, stepStartedAt: now,
      pairsAtStepStart: await this.#traffic.pairs(r.model, r.version, r.baseline),
    };
    delete next.reason;
    next.history = [...r.history, { at: now, event: 'step' as const, step, weight, revision }].slice(-MAX_HISTORY);
    return next;
  }

  async #figures(r: StoredRollout, now: number): Promise<StepFigures> {
    const totals = await this.#stats.totals(r.model, String(r.version), r.stepStartedAt, now);
    const pairs = await this.#traffic.pairs(r.model, r.version, r.baseline);
    const samples = pairs.samples - r.pairsAtStepStart.samples;
    const agreeing = pairs.agreeing - r.pairsAtStepStart.agreeing;
    const figures: StepFigures = {
      samples: totals.requests,
      errorRate: totals.requests > 0 ? totals.errors / totals.requests : 0,
      latencyP95Ms: latencyQuantile(totals.latency, 0.95),
      pairs: Math.max(0, samples),
    };
    if (samples > 0) figures.agreement = agreeing / samples;
    return figures;
  }

  #finish(r: StoredRollout, status: 'succeeded' | 'rolled_back' | 'aborted', reason: string, figures?: StepFigures, gate?: RolloutEvent['gate']): StoredRollout {
    const done: StoredRollout = { ...r, status, reason };
    delete done.pausedFrom;
    const logged = log(done, this.#now(), status, figures, reason);
    if (gate) logged.history.at(-1)!.gate = gate;
    return logged;
  }

  async #action(model: string, id: string, from: readonly Rollout['status'][], name: string, change: Change): Promise<Rollout> {
    const found = await this.#store.get(model, id);
    if (!found) throw new InferqError('ROLLOUT_NOT_FOUND', `model "${model}" has no rollout "${id}"`);
    const done = await this.#change(model, id, async (r) => {
      if (!from.includes(r.status)) throw new InferqError('ROLLOUT_STATE_CONFLICT', `cannot ${name} a rollout that is ${r.status} (needs ${from.join(' or ')})`);
      return change(r);
    }, { wait: true });
    return publicRollout(done ?? found.rollout);
  }

  /**
   * Runs `change` on the current rollout under the model's mutation lock and stores its result
   * with a compare-and-set. `wait`: an API action waits for the lock (bounded), a tick skips.
   */
  async #change(model: string, id: string, change: Change, { wait }: { wait: boolean }): Promise<StoredRollout | undefined> {
    const lockKey = this.#keys.rolloutLock(model);
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + LOCK_WAIT_MS;
    while ((await this.#acquire([lockKey], [token, MUTATION_LOCK_MS])) !== 1) {
      if (!wait) return undefined;
      if (Date.now() >= deadline) throw new InferqError('ROLLOUT_STATE_CONFLICT', `the rollout of "${model}" is being changed by another request; retry`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      const found: VersionedRollout | undefined = await this.#store.get(model, id);
      if (!found) throw new InferqError('ROLLOUT_NOT_FOUND', `model "${model}" has no rollout "${id}"`);
      if (FINAL_ROLLOUT_STATUSES.has(found.rollout.status)) {
        if (wait) throw new InferqError('ROLLOUT_STATE_CONFLICT', `the rollout is ${found.rollout.status} already`);
        return undefined;
      }
      const next = await change(found.rollout);
      if (!next) return undefined;
      next.updatedAt = this.#now();
      if (!(await this.#store.update(next, found.seq))) {
        throw new InferqError('ROLLOUT_STATE_CONFLICT', `the rollout of "${model}" changed at the same moment; read it and retry`);
      }
      return next;
    } finally {
      await this.#release([lockKey], [token]).catch(() => undefined);
    }
  }

  async #notifyRolledBack(rollout: Rollout): Promise<void> {
    const event = rollout.history.findLast((e) => e.event === 'rolled_back');
    if (event) await this.#onRolledBack?.(rollout, event);
  }
}

/** The version with the most weight in a policy (the first of equals); undefined without routes. */
export function heaviestRoute(policy: Pick<RolloutTrafficPolicy, 'routes'>): number | undefined {
  let best: { version: number; weight: number } | undefined;
  for (const route of policy.routes ?? []) if (!best || route.weight > best.weight) best = route;
  return best && best.weight > 0 ? best.version : undefined;
}

/** The policy of a step: the candidate at `weight`, the baseline at the rest, baseline traffic mirrored to the candidate. */
export function stepPolicy(r: Pick<StoredRollout, 'basePolicy' | 'baseline' | 'version' | 'shadowPercent'>, weight: number): RolloutTrafficPolicy {
  const { routes: _routes, shadow: _shadow, ...rest } = r.basePolicy as RolloutTrafficPolicy;
  const policy: RolloutTrafficPolicy = {
    ...rest,
    routes: weight >= 100 ? [{ version: r.version, weight: 100 }] : [{ version: r.baseline, weight: 100 - weight }, { version: r.version, weight }],
  };
  policy.shadow = weight < 100 && r.shadowPercent > 0 ? { version: r.version, percent: r.shadowPercent } : null;
  return policy;
}

function approvalReason(r: StoredRollout): string {
  return `waiting for approval of step ${r.step + 1} (${r.steps[r.step]} %): POST .../rollouts/${r.id}/approve`;
}

function log(r: StoredRollout, at: number, event: RolloutEvent['event'], figures?: StepFigures, reason?: string): StoredRollout {
  const entry: RolloutEvent = { at, event, step: r.step, weight: r.weight, revision: r.revision };
  if (figures) entry.figures = figures;
  if (reason) entry.reason = reason;
  return { ...r, history: [...r.history, entry].slice(-MAX_HISTORY) };
}
