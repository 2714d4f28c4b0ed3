/**
 * Redis failover under load loses no acknowledged prediction.
 *
 * Real processes on loopback: a Redis primary, one replica and three sentinels
 * (`redis-server --sentinel`), the API (REDIS_WAIT_REPLICAS=1: a 202 only after `WAIT 1` confirms
 * the replica holds the prediction), two workers and the monitor, all pointed at the sentinels
 * (REDIS_SENTINELS, REDIS_SENTINEL_NAME). Under a steady stream of submissions the primary is
 * killed with SIGKILL. The sentinels promote the replica; API and workers find it by themselves.
 * The dead node is then started again, as a supervisor would, and the sentinels make it the new
 * replica, so `WAIT 1` can succeed again. Counted at the end: every prediction that got a 202
 * must complete; predictions accepted after the failover must complete too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@inferq/redis';
import { startSentinelGroup, type SentinelGroup } from '../helpers/redis-sentinel.js';
import { startAppProcess, waitUntil, type AppProcess } from '../helpers/processes.js';
import { MODELS_DIR } from '../helpers/in-process-stack.js';
import { irisRows, seededRandom } from '../helpers/models.js';
import { pollUntilFinal, submitRest } from '../helpers/fault-clients.js';

const KEY_PREFIX = 'failover';

describe('e2e: Redis Sentinel failover (kill -9 of the primary under load)', () => {
  let group: SentinelGroup;
  let api: AppProcess;
  let workers: AppProcess[] = [];
  let monitor: AppProcess;
  let base: string;

  before(async () => {
    group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = { ...group.env, KEY_PREFIX, MODEL_REPOSITORY: MODELS_DIR, MODELS: 'iris' };
    workers = ['ha-w0', 'ha-w1'].map((id) => startAppProcess('apps/worker/src/main.ts', {
      ...env, WORKER_ID: id, DEVICE: 'cpu', ORT_INTRA_OP_THREADS: '1', LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000',
    }));
    monitor = startAppProcess('apps/monitor/src/main.ts', { ...env, WINDOW_SIZE: '50' });
    api = startAppProcess('apps/api/src/main.ts', { ...env, PORT: String(port), REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '500', COALESCE_MAX_PREDICTIONS: '1' });
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).ok, 60_000, 'the API to be ready');
    // Both workers serving before the load: the failover is what is tested, not a worker start
    // racing it (seen once in CI: none of 225 predictions completed; see the closing note).
    await waitUntil(async () => {
      const iris = (await (await fetch(`${base}/v1/models/iris`)).json()) as { versions?: Array<{ workers?: Record<string, string> }> };
      const workers = iris.versions?.[0]?.workers ?? {};
      return workers['ha-w0'] === 'READY' && workers['ha-w1'] === 'READY';
    }, 60_000, 'both workers READY');
  });

  after(async () => {
    await api?.stop();
    await Promise.all([...workers, monitor].map((p) => p?.stop()));
    await group?.dispose();
  });

  it('fails over by itself; every prediction acknowledged with WAIT completes', async (t) => {
    const random = seededRandom(11);
    const firstPrimary = await group.primaryPort();
    const accepted: Array<{ id: string; afterFailover: boolean }> = [];
    const refused = new Map<string, number>();
    let failedOver = false;
    let acceptedAfterRestore = 0;
    let promotedAfterMs = 0;
    const deadline = Date.now() + 90_000;

    // Four clients submit without pause (bounded in count and time). Once 100 are acknowledged
    // the primary dies; they go on until 100 more are acknowledged on the new primary.
    const client = async () => {
      for (let i = 0; i < 2_000 && Date.now() < deadline && acceptedAfterRestore < 100; i++) {
        const rows = 1 + Math.floor(random() * 3);
        const outcome = await submitRest(base, 'iris', { inputs: [{ name: 'features', shape: [rows, 4], datatype: 'FP32', data: irisRows(random, rows) }] });
        if (outcome.status === 202 && outcome.id) {
          accepted.push({ id: outcome.id, afterFailover: failedOver });
          if (failedOver) acceptedAfterRestore++;
        } else {
          const key = `${outcome.status} ${outcome.code ?? ''}`.trim();
          refused.set(key, (refused.get(key) ?? 0) + 1);
          // Refusals are what a client retries after Retry-After; a short pause keeps this
          // loop from spinning while Redis has no primary (not a synchronisation wait).
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const failover = async () => {
      await waitUntil(async () => accepted.length >= 100, 30_000, '100 acknowledged predictions before the kill');
      await group.kill(firstPrimary);
      const killedAt = Date.now();
      await waitUntil(async () => (await group.primaryPort()) !== firstPrimary, 30_000, 'the sentinels to promote the replica');
      promotedAfterMs = Date.now() - killedAt;
      // The promoted replica has no replica of its own until the dead node comes back.
      await group.restart(firstPrimary);
      failedOver = true;
    };
    await Promise.all([failover(), client(), client(), client(), client()]);

    // Not compared with the first primary: on a loaded machine the sentinels may fail over once
    // more (back to the restarted node, by then a replica), which is just as legitimate.
    const newPrimary = await group.primaryPort();

    const finals = await Promise.all(accepted.map(async ({ id }) => (await pollUntilFinal(() => base, id, Date.now() + 60_000))?.status));
    const completed = finals.filter((s) => s === 'completed').length;
    const before = accepted.filter((a) => !a.afterFailover).length;
    const afterwards = accepted.length - before;
    t.diagnostic(`acknowledged ${accepted.length} (${before} before the failover, ${afterwards} after), completed ${completed}; refused ${JSON.stringify(Object.fromEntries(refused))}; primary ${firstPrimary} → ${newPrimary}, promoted ${promotedAfterMs} ms after the kill`);
    // A refusal is what a client retries: always a 503 (Retry-After), never a 500.
    assert.deepEqual([...refused.keys()].filter((k) => !k.startsWith('503 ')), [], 'only 503 refusals');
    assert.ok(afterwards >= 100, `predictions kept being acknowledged after the failover (${afterwards})`);
    // Every process rode the failover out: none exited (they reconnect through the sentinels).
    for (const p of [api, monitor, ...workers]) assert.equal(p.child.exitCode, null, `a process exited: ${p.output().slice(-2_000)}`);
    const lost = accepted.filter((_, i) => finals[i] !== 'completed').map((a) => a.id);
    assert.deepEqual(lost, [], `${lost.length} acknowledged predictions did not complete`);
  });
});
