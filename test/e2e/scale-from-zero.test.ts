/**
 * Scale to zero, with processes: what KEDA does in Kubernetes (deploy/kubernetes/worker-scaledobject.yaml),
 * done by hand. A real redis-server and the API, and no worker at all. Predictions are submitted
 * (concurrently, so the API coalesces them into fewer jobs); the API's /metrics must then show the
 * backlog the ScaledObject scales on (inferq_predictions_waiting counts predictions, not jobs) and
 * no live worker. A worker is started; every prediction must complete, and the metrics return to
 * an empty backlog served by one live worker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@inferq/redis';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startAppProcess, waitUntil, type AppProcess } from '../helpers/processes.js';
import { MODELS_DIR } from '../helpers/in-process-stack.js';
import { irisRows, seededRandom } from '../helpers/models.js';
import { pollUntilFinal, submitRest } from '../helpers/fault-clients.js';

const KEY_PREFIX = 'zero';
const PREDICTIONS = 120;

/** The value of one sample of the Prometheus exposition, or undefined. */
function sample(text: string, name: string, model: string): number | undefined {
  const match = new RegExp(`^${name}\\{model="${model}"\\} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

describe('e2e: scale from zero workers', () => {
  let redis: TestRedis;
  let api: AppProcess;
  let worker: AppProcess | undefined;
  let base: string;
  let env: Record<string, string>;

  before(async () => {
    redis = await startTestRedis();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { REDIS_URL: redis.url, KEY_PREFIX, MODEL_REPOSITORY: MODELS_DIR };
    api = startAppProcess('apps/api/src/main.ts', { ...env, PORT: String(port), COALESCE_MAX_PREDICTIONS: '16' });
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).ok, 60_000, 'the API to be ready');
  });

  after(async () => {
    await api?.stop();
    await worker?.stop();
    await redis?.dispose();
  });

  it('holds the backlog with no worker, exports it, and completes it once a worker starts', async (t) => {
    const random = seededRandom(5);
    const outcomes = await Promise.all(Array.from({ length: PREDICTIONS }, () =>
      submitRest(base, 'iris', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: irisRows(random, 1) }] })));
    const ids = outcomes.map((o) => o.id);
    assert.deepEqual(outcomes.map((o) => o.status), outcomes.map(() => 202), 'every prediction accepted with no worker running');

    const metrics = async () => (await fetch(`${base}/metrics`)).text();
    const idle = await metrics();
    const jobs = [...idle.matchAll(/^inferq_queue_depth\{model="iris",state="(?:waiting|prioritized)"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    t.diagnostic(`${PREDICTIONS} predictions in ${jobs} queue jobs, no worker`);
    // 120 requests in flight at once reach the API in a few event-loop turns, so they share jobs:
    // then a gauge of jobs would read less than the backlog, and this one must not.
    assert.ok(jobs < PREDICTIONS, `requests were coalesced (${jobs} jobs)`);
    assert.equal(sample(idle, 'inferq_predictions_waiting', 'iris'), PREDICTIONS, 'the gauge counts predictions');
    assert.equal(sample(idle, 'inferq_model_workers_live', 'iris'), 0);
    assert.equal(sample(idle, 'inferq_predictions_waiting', 'text-orientation'), 0);

    worker = startAppProcess('apps/worker/src/main.ts', { ...env, DEVICE: 'cpu', ORT_INTRA_OP_THREADS: '1', WORKER_ID: 'zero-w0' });
    const finals = await Promise.all(ids.map(async (id) => (id ? (await pollUntilFinal(() => base, id, Date.now() + 60_000))?.status : undefined)));
    assert.deepEqual(finals, ids.map(() => 'completed'), 'every prediction completed after the first worker started');

    const busy = await metrics();
    assert.equal(sample(busy, 'inferq_predictions_waiting', 'iris'), 0);
    assert.equal(sample(busy, 'inferq_model_workers_live', 'iris'), 1);
  });
});
