import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';
import { routeRequest, shadowVersion, type TrafficPolicyStore } from '@inferq/predictions';
import { irisSampler } from './iris-data.js';
import { seededRandom } from './models.js';

/** What the load saw, per prediction. */
export interface RoutedLoadLedger {
  /** Accepted (202) primaries. */
  submitted: number;
  completed: number;
  failed: number;
  /** Primaries by the version that served them. */
  byVersion: Map<string, number>;
  /** Candidate weight of each policy revision seen while submitting (revision → routes). */
  revisions: Map<number, Array<{ version: string; weight: number }>>;
  /** Shadow pairs compared, and those with the same class. */
  pairs: number;
  agreeing: number;
}

/**
 * Test traffic routed by the traffic policy in Redis, submitted as pinned predictions: a stand-in
 * for the API's own routing and shadow comparison (the traffic branch's work) while they are not
 * on this branch. Each request is routed by the traffic helper's pure router (`routeRequest`,
 * `shadowVersion`) under the policy in force; a mirrored request runs on the shadow version too,
 * and its pair outcome goes into the comparison hash the workers fill (`samples`, `agreements`).
 */
export class RoutedLoad {
  readonly ledger: RoutedLoadLedger = { submitted: 0, completed: 0, failed: 0, byVersion: new Map(), revisions: new Map(), pairs: 0, agreeing: 0 };
  #running: Promise<void> | undefined;
  #stop = false;
  /** Flowers drawn at random (seeded): in data-set order the first 50 would all be setosa. */
  readonly #sample = irisSampler(seededRandom(13));

  constructor(private readonly app: FastifyInstance, private readonly traffic: TrafficPolicyStore, private readonly redis: Redis, private readonly keys: RedisKeys, private readonly model = 'iris') {}

  /** Keeps `concurrency` requests in flight until `stop`. */
  start(concurrency = 4): void {
    this.#running = Promise.all(Array.from({ length: concurrency }, () => this.#loop())).then(() => undefined);
  }

  /** Stops and waits for every request in flight to end. */
  async stop(): Promise<void> {
    this.#stop = true;
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stop) await this.once();
  }

  /** One routed request (and its shadow), awaited to the end. */
  async once(): Promise<void> {
    const flower = this.#sample();
    const policy = await this.traffic.get(this.model);
    if (policy) this.ledger.revisions.set(policy.revision, policy.routes.map((r) => ({ ...r })));
    const version = routeRequest(policy, {})?.version ?? '1';
    const shadow = shadowVersion(policy, version);
    const [primary, mirrored] = await Promise.all([this.#predict(version, flower.features, true), shadow ? this.#predict(shadow, flower.features, false) : undefined]);
    if (shadow && primary !== undefined && mirrored !== undefined) {
      const same = primary === mirrored ? 1 : 0;
      this.ledger.pairs++;
      this.ledger.agreeing += same;
      await this.redis.hincrby(this.keys.comparison(this.model, shadow, version), 'samples', 1);
      if (same) await this.redis.hincrby(this.keys.comparison(this.model, shadow, version), 'agreements', 1);
    }
  }

  /** Submits one row pinned to `version`, waits for the end; the predicted class, or undefined when it failed. */
  async #predict(version: string, features: readonly number[], primary: boolean): Promise<number | undefined> {
    const submitted = await this.app.inject({
      method: 'POST', url: `/v1/models/${this.model}/versions/${version}/predictions`,
      payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [...features] }] },
    });
    if (submitted.statusCode !== 202) throw new Error(`submit answered ${submitted.statusCode}: ${submitted.body}`);
    if (primary) {
      this.ledger.submitted++;
      this.ledger.byVersion.set(version, (this.ledger.byVersion.get(version) ?? 0) + 1);
    }
    const { id } = submitted.json<{ id: string }>();
    for (let attempt = 0; attempt < 20; attempt++) {
      const record = (await this.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=5000` })).json<{ status: string; result?: { outputs: Array<{ name: string; data: number[] }> } }>();
      if (record.status === 'completed') {
        if (primary) this.ledger.completed++;
        return Number(record.result!.outputs.find((o) => o.name === 'label')!.data[0]);
      }
      if (record.status === 'failed' || record.status === 'expired') {
        if (primary) this.ledger.failed++;
        return undefined;
      }
    }
    throw new Error(`prediction ${id} did not end within 100 s`);
  }
}
