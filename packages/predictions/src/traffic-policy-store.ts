import type { Redis } from 'ioredis';
import {
  InferqError, TRAFFIC_HISTORY_MAX, trafficPolicyValidator,
  type RedisKeys, type TrafficPolicy, type TrafficPolicySpec,
} from '@inferq/contract';
import { redisScript, type RedisScript } from '@inferq/redis';

/** Options of a write. */
export interface TrafficWriteOptions {
  /** Write only if this revision is in force (`If-Match`); a mismatch → `PRECONDITION_FAILED` (412). 0 = only if none was ever written. */
  ifMatch?: number | undefined;
  /** Why (kept in the history). */
  reason?: string | undefined;
  /** Who (API key id, rollout id). */
  actor?: string | undefined;
  /**
   * Checks the content about to be written by `restore` / `rollback` (e.g. its versions still
   * serve); throwing refuses the write, so nothing is half-applied.
   */
  check?: ((spec: TrafficPolicySpec) => void) | undefined;
}

/** A write without `ifMatch` that loses a race on the revision retries this often (reads are cheap). */
const UNCONDITIONAL_ATTEMPTS = 8;

/**
 * Traffic policies in Redis (`{prefix}:traffic:{model}`, `{prefix}:traffic-history:{model}`,
 * channel `{prefix}:events:traffic`; see redis-keys.ts). Every write is one run of
 * `put-traffic-2.lua`: compare-and-set on the revision, history and announcement together, so a
 * policy is never half-applied and racing writers cannot both win. Revisions are never reused:
 * `clear` and `rollback` write new revisions (so a clear can itself be rolled back).
 *
 * The store checks only the shape of what it writes; whether versions exist and are READY is the
 * caller's check (`checkTrafficPolicy`), made before the write.
 */
export class TrafficPolicyStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #put: RedisScript<[number, number]>;
  readonly #historyMax: number;

  /** @param historyMax - revisions kept per model. @defaultValue TRAFFIC_HISTORY_MAX (100) */
  constructor(redis: Redis, keys: RedisKeys, historyMax: number = TRAFFIC_HISTORY_MAX) {
    this.#redis = redis;
    this.#keys = keys;
    this.#historyMax = historyMax;
    this.#put = redisScript(redis, 'put-traffic-2.lua');
  }

  /** The policy in force; undefined when none was ever written (then the default version serves). */
  async get(model: string): Promise<TrafficPolicy | undefined> {
    return parsePolicy(await this.#redis.get(this.#keys.traffic(model)));
  }

  /** The policies in force of several models in one round trip (undefined where none). */
  async getMany(models: readonly string[]): Promise<Array<TrafficPolicy | undefined>> {
    if (models.length === 0) return [];
    const values = await this.#redis.mget(...models.map((model) => this.#keys.traffic(model)));
    return values.map(parsePolicy);
  }

  /** Writes `spec` as a new revision and returns it as stored. */
  async put(model: string, spec: TrafficPolicySpec & { restoredFrom?: number }, options: TrafficWriteOptions = {}): Promise<TrafficPolicy> {
    const body: Omit<TrafficPolicy, 'revision'> = {
      routes: spec.routes, sticky: spec.sticky, rules: spec.rules, shadow: spec.shadow, updatedAt: Date.now(),
    };
    if (options.actor !== undefined) body.actor = options.actor;
    if (options.reason !== undefined) body.reason = options.reason;
    if (spec.restoredFrom !== undefined) body.restoredFrom = spec.restoredFrom;
    const [written, revision] = await this.#put(
      [this.#keys.traffic(model), this.#keys.trafficHistory(model)],
      [options.ifMatch === undefined ? '' : String(options.ifMatch), JSON.stringify(body), this.#historyMax, this.#keys.trafficChannel, model],
    );
    if (written !== 1) throw preconditionFailed(model, options.ifMatch ?? 0, revision);
    return { revision, ...body };
  }

  /** Revisions newest first (index 0 = the one in force), at most `limit`. */
  async history(model: string, limit: number = this.#historyMax): Promise<TrafficPolicy[]> {
    const values = await this.#redis.lrange(this.#keys.trafficHistory(model), 0, Math.max(0, Math.min(limit, this.#historyMax)) - 1);
    return values.map(parsePolicy).filter((policy): policy is TrafficPolicy => policy !== undefined);
  }

  /**
   * Writes the content of revision `revision` (from the history) as a new revision.
   * `TRAFFIC_REVISION_NOT_FOUND` (404) when the history does not hold it.
   */
  async restore(model: string, revision: number, options: TrafficWriteOptions = {}): Promise<TrafficPolicy> {
    return this.#conditional(model, options, async () => {
      const [current, ...older] = await this.history(model);
      const target = [current, ...older].find((policy) => policy?.revision === revision);
      if (!target) throw new InferqError('TRAFFIC_REVISION_NOT_FOUND', `model "${model}" has no traffic revision ${revision} in its history`);
      return { current: current?.revision ?? 0, spec: { ...specOf(target), restoredFrom: target.revision } };
    }, `restores revision ${revision}`);
  }

  /**
   * Restores the revision before the one in force (one call), as a new revision.
   * `NOTHING_TO_ROLL_BACK` (409) when there is none.
   */
  async rollback(model: string, options: TrafficWriteOptions = {}): Promise<TrafficPolicy> {
    return this.#conditional(model, options, async () => {
      const [current, previous] = await this.history(model, 2);
      if (!current || !previous) throw new InferqError('NOTHING_TO_ROLL_BACK', `model "${model}" has no earlier traffic revision to roll back to`);
      return { current: current.revision, spec: { ...specOf(previous), restoredFrom: previous.revision } };
    }, 'rollback');
  }

  /** Writes an empty policy (the default version serves everything) as a new revision. */
  async clear(model: string, options: TrafficWriteOptions = {}): Promise<TrafficPolicy> {
    return this.put(model, { routes: [], sticky: false, rules: [], shadow: null }, { reason: 'cleared', ...options });
  }

  /** Removes every trace of the model's policies (tests, `keys:reset`); announces nothing. */
  async purge(model: string): Promise<void> {
    await this.#redis.del(this.#keys.traffic(model), this.#keys.trafficHistory(model));
  }

  /**
   * A write computed from what is in force: with `ifMatch`, one try (412 on a mismatch, checked
   * before computing too); without, retried while another writer keeps winning the race.
   */
  async #conditional(
    model: string,
    options: TrafficWriteOptions,
    compute: () => Promise<{ current: number; spec: TrafficPolicySpec & { restoredFrom?: number } }>,
    defaultReason: string,
  ): Promise<TrafficPolicy> {
    for (let attempt = 1; ; attempt++) {
      const { current, spec } = await compute();
      if (options.ifMatch !== undefined && options.ifMatch !== current) throw preconditionFailed(model, options.ifMatch, current);
      options.check?.(spec);
      try {
        return await this.put(model, spec, { actor: options.actor, reason: options.reason ?? defaultReason, ifMatch: current });
      } catch (error) {
        if (options.ifMatch !== undefined || attempt >= UNCONDITIONAL_ATTEMPTS || !(error instanceof InferqError) || error.code !== 'PRECONDITION_FAILED') throw error;
      }
    }
  }
}

/** The content of a stored policy (what a restore copies). */
export function specOf(policy: TrafficPolicy): TrafficPolicySpec {
  return { routes: policy.routes, sticky: policy.sticky, rules: policy.rules, shadow: policy.shadow };
}

function preconditionFailed(model: string, expected: number, current: number): InferqError {
  return new InferqError('PRECONDITION_FAILED', `traffic policy of model "${model}" is at revision ${current}, not ${expected} (If-Match); read it again and retry`);
}

/** Parses a stored policy; a value that is not one (hand-edited, another version's) reads as none. */
function parsePolicy(value: string | null): TrafficPolicy | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return trafficPolicyValidator.check(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
