/**
 * The Redis restart scenario (redis-restart.test.ts) driven through `@inferq/client`: Redis is
 * killed (SIGKILL) under load and restarted on the same port and AOF (`appendfsync always`).
 * Two clients: one that takes refusals as they come (`submitRetries: 0`: a call submitted during
 * the outage rejects with QUEUE_UNAVAILABLE, status 503, at once), one that rides them out
 * (retries with the server's Retry-After, over REST and the WebSocket alike). Every call settles exactly once; every accepted
 * prediction completes after the restart, its result pushed over the socket that stayed open or
 * long-polled through the 503s; new work after the restart runs on both workers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, type InferqClient, type PredictionResult } from '@inferq/client';
import { waitUntil } from '../helpers/processes.js';
import { useProcessStack } from '../helpers/process-stack.js';
import { irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { SettleLedger } from '../helpers/settle-ledger.js';

const KEY_PREFIX = 'sdkrestart';
const random = seededRandom(12);

describe('e2e: @inferq/client through a Redis restart under load (appendfsync always)', () => {
  const fx = useProcessStack({ keyPrefix: KEY_PREFIX, redis: { appendfsync: 'always' }, workerEnv: { LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '1000' }, workers: 2, start: (stack) => {
    stack.startWorker('sdk-iris', { MODELS: 'iris', LOG_LEVEL: 'debug' });
    stack.startWorker('sdk-text', { MODELS: 'text-orientation', LOG_LEVEL: 'debug' });
    stack.startApi();
  } });

  it('settles every call once: refusals typed, everything accepted completes, recovery by itself', async (t) => {
    const { base, api, workers } = fx.stack;
    const reconnect = { initialDelayMs: 50, maxDelayMs: 1_000, maxAttempts: 60 };
    // maxInFlight spreads the burst over time, so part of it meets the outage.
    const strict = createClient({ url: base, timeoutMs: 60_000, submitRetries: 0, maxInFlight: 24, reconnect });
    const patient = createClient({ url: base, timeoutMs: 60_000, submitRetries: 60, maxInFlight: 24, reconnect });
    const poller = createClient({ url: base, timeoutMs: 60_000, submitRetries: 60, results: 'poll', reconnect });
    const clients: InferqClient[] = [strict, patient, poller];
    const ledgers = { strict: new SettleLedger(), patient: new SettleLedger(), poller: new SettleLedger() };
    const call = (client: InferqClient, k: number): Promise<PredictionResult> => (k % 5 < 2
      ? client.predict('text-orientation', [{ name: 'x', data: Float32Array.from(textLineImages(random, 1)), shape: [1, 3, 48, 192] }], k % 2 === 0 ? { submitOver: 'ws' } : {})
      : client.predict('iris', { features: [irisRows(random, 1)] }, k % 2 === 0 ? { submitOver: 'ws' } : {}));

    // The text worker is frozen, so its share is certainly still queued when Redis dies.
    const textWorker = workers[1]!.child;
    textWorker.kill('SIGSTOP');
    const calls = [
      ...Array.from({ length: 150 }, (_, k) => ledgers.strict.track(call(strict, k))),
      ...Array.from({ length: 150 }, (_, k) => ledgers.patient.track(call(patient, k))),
      ...Array.from({ length: 30 }, (_, k) => ledgers.poller.track(poller.predict('iris', { features: [irisRows(random, 1)] }, k % 2 === 0 ? { submitOver: 'ws' } : {}))),
    ];
    // Kill Redis once some iris predictions have completed: the rest of the burst meets the outage.
    await waitUntil(async () => ledgers.strict.completed + ledgers.patient.completed >= 40, 30_000, '40 completed predictions', 10);
    const killedAt = Date.now();
    await fx.redis.kill();
    // Calls the patient client starts during the outage certainly meet it, however much of the
    // burst was already submitted when Redis died (a fast machine submits it all first).
    calls.push(...Array.from({ length: 5 }, (_, k) => ledgers.patient.track(call(patient, 150 + k))));
    const refusal = await strict.predict('iris', { features: [irisRows(random, 1)] }).then(() => undefined, (e: unknown) => e);
    t.diagnostic(`Redis killed after ${ledgers.strict.completed + ledgers.patient.completed} completions; a submit during the outage: ${String(refusal)}`);
    assert.equal((refusal as { code?: string }).code, 'QUEUE_UNAVAILABLE');
    assert.equal((refusal as { status?: number }).status, 503);
    assert.equal((refusal as { retryAfterMs?: number }).retryAfterMs, 1_000);
    // Hold the outage for 2.5 s of the clients' own retries (not synchronisation).
    await new Promise((r) => setTimeout(r, 2_500));
    for (const p of [api, ...workers]) assert.equal(p.child.exitCode, null, 'still running');
    await fx.restartRedis();
    textWorker.kill('SIGCONT');
    t.diagnostic(`Redis was down ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);

    await Promise.all(calls);
    const strictCounts = ledgers.strict.counts();
    const patientCounts = ledgers.patient.counts();
    const pollerCounts = ledgers.poller.counts();
    t.diagnostic(`strict: ${JSON.stringify(strictCounts)}; messages: ${JSON.stringify(ledgers.strict.samples)}`);
    t.diagnostic(`patient: ${JSON.stringify(patientCounts)}`);
    t.diagnostic(`poller: ${JSON.stringify(pollerCounts)}`);
    for (const [name, client] of [['strict', strict], ['patient', patient], ['poller', poller]] as const) {
      const s = client.stats;
      t.diagnostic(`${name}: delivered ${s.delivered}, duplicates dropped ${s.duplicatesDropped}, socket reconnects ${s.reconnects}, submit retries ${s.submitRetries}, long-polls ${s.longPolls}`);
    }
    for (const counts of [strictCounts, patientCounts, pollerCounts]) {
      assert.equal(counts.settled, counts.started, 'no call was left hanging');
      assert.equal(counts.settledTwice, 0);
      assert.equal(counts.repeatedIds, 0);
    }
    // The strict client: completed, or refused at once with a typed 503 (over REST or the socket); nothing accepted is lost.
    assert.deepEqual(Object.keys(strictCounts.rejected).filter((c) => c !== 'QUEUE_UNAVAILABLE'), []);
    assert.ok((strictCounts.rejected.QUEUE_UNAVAILABLE ?? 0) > 0, 'part of the burst met the outage');
    assert.equal(strict.stats.delivered, strictCounts.completed);
    // Clients that retry refusals (REST 503s and WebSocket QUEUE_UNAVAILABLE errors alike) ride the outage out.
    assert.deepEqual(patientCounts.rejected, {});
    assert.equal(patientCounts.completed, 155);
    assert.ok(patient.stats.submitRetries > 0, 'the patient client did meet the outage');
    assert.deepEqual(pollerCounts.rejected, {});
    assert.equal(pollerCounts.completed, 30);

    // After the restart: new work over both transports runs on both workers.
    const restartedAt = Date.now();
    const afterLedger = new SettleLedger();
    await Promise.all(Array.from({ length: 20 }, (_, k) => afterLedger.track(call(patient, k))));
    assert.deepEqual(afterLedger.counts().rejected, {});
    assert.equal(afterLedger.completed, 20);
    for (const worker of workers) {
      await waitUntil(async () => worker.logs().some((l) => l.msg === 'batch done' && Number(l.time) >= restartedAt - 60_000), 10_000, 'batches on each worker');
    }
    for (const client of clients) client.close();
  });
});
