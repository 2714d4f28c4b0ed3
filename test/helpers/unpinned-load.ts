import type { FastifyInstance } from 'fastify';
import type { TrafficPolicyStore } from '@inferq/predictions';
import { irisSampler } from './iris-data.js';
import { seededRandom } from './models.js';

/** What the load saw, per prediction. */
export interface UnpinnedLoadLedger {
  /** Accepted (202) primaries. */
  submitted: number;
  completed: number;
  failed: number;
  /** Primaries by the version that served them. */
  byVersion: Map<string, number>;
  /** Candidate weight of each policy revision seen while submitting (revision → routes). */
  revisions: Map<number, Array<{ version: string; weight: number }>>;
}

/**
 * Test traffic that names no version (`POST /v1/models/{m}/predictions`): the API routes each
 * request by the traffic policy in force and mirrors it to the shadow version, and the workers
 * compare the pairs. Each request is awaited to its end; the ledger counts what was accepted and
 * how it ended, by the version that served it, and the routes of every policy revision seen.
 */
export class UnpinnedLoad {
  readonly ledger: UnpinnedLoadLedger = { submitted: 0, completed: 0, failed: 0, byVersion: new Map(), revisions: new Map() };
  #running: Promise<void> | undefined;
  #stop = false;
  /** Flowers drawn at random (seeded): in data-set order the first 50 would all be setosa. */
  readonly #sample = irisSampler(seededRandom(13));

  constructor(private readonly app: FastifyInstance, private readonly traffic: TrafficPolicyStore, private readonly model = 'iris') {}

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

  /** One request, awaited to its end. */
  async once(): Promise<void> {
    const flower = this.#sample();
    const policy = await this.traffic.get(this.model);
    if (policy) this.ledger.revisions.set(policy.revision, policy.routes.map((r) => ({ ...r })));
    await this.#predict(flower.features);
  }

  /** Submits one row, waits for its end. */
  async #predict(features: readonly number[]): Promise<void> {
    const submitted = await this.app.inject({
      method: 'POST', url: `/v1/models/${this.model}/predictions`,
      payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [...features] }] },
    });
    if (submitted.statusCode !== 202) throw new Error(`submit answered ${submitted.statusCode}: ${submitted.body}`);
    this.ledger.submitted++;
    const { id, version } = submitted.json<{ id: string; version: string }>();
    this.ledger.byVersion.set(version, (this.ledger.byVersion.get(version) ?? 0) + 1);
    for (let attempt = 0; attempt < 20; attempt++) {
      const record = (await this.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=5000` })).json<{ status: string }>();
      if (record.status === 'completed') {
        this.ledger.completed++;
        return;
      }
      if (record.status === 'failed' || record.status === 'expired') {
        this.ledger.failed++;
        return;
      }
    }
    throw new Error(`prediction ${id} did not end within 100 s`);
  }
}
