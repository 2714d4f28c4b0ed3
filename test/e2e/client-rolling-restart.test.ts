/**
 * The graceful rolling restart (graceful-shutdown.test.ts) driven through `@inferq/client`:
 * SIGTERM to a worker, then to the API, then to the other worker, each restarted at once, while
 * three SDK clients keep calling `predict` (REST submit with pushed results, WebSocket submit,
 * long-poll only). The SDK reconnects and re-subscribes on its own; the test counts every call:
 * each settles exactly once, every one that was accepted completes, no result reaches two calls.
 * The only rejections allowed are the ones a client cannot avoid when the API goes away under a
 * request: CONNECTION_LOST (a WebSocket predict sent but not yet accepted when the socket
 * closed) and CONNECTION_FAILED (a REST submit cut mid-request), both before any id was issued.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient, type InferqClient, type PredictOptions } from '@inferq/client';
import { waitUntil } from '../helpers/processes.js';
import { useProcessStack } from '../helpers/process-stack.js';
import { irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { SettleLedger } from '../helpers/settle-ledger.js';

const KEY_PREFIX = 'sdkrolling';
const random = seededRandom(8);
const UNAVOIDABLE = new Set(['CONNECTION_LOST', 'CONNECTION_FAILED']);

describe('e2e: @inferq/client through a graceful rolling restart of workers and API', () => {
  const fx = useProcessStack({ keyPrefix: KEY_PREFIX, workerEnv: { LOCK_DURATION_MS: '30000' } });

  it('settles every call exactly once and completes every accepted prediction', async (t) => {
    const { base } = fx.stack;
    const workers = [fx.stack.startWorker('sdk-w0'), fx.stack.startWorker('sdk-w1')];
    const api = fx.stack.startApi();
    await fx.stack.waitReady(2);

    // Generous retries and back-off capped at 1 s: the API is away for a few seconds.
    const common = { url: base, timeoutMs: 60_000, submitRetries: 50, reconnect: { initialDelayMs: 50, maxDelayMs: 1_000, maxAttempts: 60 } };
    const clients: Array<{ name: string; client: InferqClient; options: PredictOptions }> = [
      { name: 'rest+push', client: createClient(common), options: {} },
      { name: 'ws', client: createClient(common), options: { submitOver: 'ws' } },
      { name: 'long-poll', client: createClient({ ...common, results: 'poll' }), options: {} },
    ];
    const ledger = new SettleLedger();
    let stopping = false;
    const loops = clients.flatMap(({ client, options }) => Array.from({ length: 3 }, (_, c) => (async () => {
      for (let k = c; !stopping; k++) {
        const call = k % 7 === 0
          ? client.predict('text-orientation', [{ name: 'x', data: Float32Array.from(textLineImages(random, 1)), shape: [1, 3, 48, 192] }], options)
          : client.predict('iris', { features: [irisRows(random, 1)] }, options);
        const outcome = await ledger.track(call);
        // A client's pace after an unavoidable refusal, not synchronisation.
        if (!('response' in outcome)) await new Promise((r) => setTimeout(r, 50));
      }
    })()));

    const afterMore = async (n: number) => {
      const target = ledger.completed + n;
      await waitUntil(async () => ledger.completed >= target, 30_000, `${n} more completed predictions`, 20);
    };
    const exitCodes: Array<number | null> = [];
    await afterMore(50);
    exitCodes.push(await workers[0]!.stop(25_000));
    fx.stack.startWorker('sdk-w0'); // its replacement: stopped with every process in after()
    await afterMore(50);
    exitCodes.push(await api.stop(25_000));
    fx.stack.startApi();
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).ok, 30_000, 'the restarted API', 50);
    await afterMore(50);
    exitCodes.push(await workers[1]!.stop(25_000));
    fx.stack.startWorker('sdk-w1');
    await afterMore(50);
    stopping = true;
    await Promise.all(loops);
    await ledger.drained();

    const counts = ledger.counts();
    // Server side: every prediction record that exists, and how it ended. Records beyond the
    // completed calls are predictions queued for a call that was told CONNECTION_LOST/FAILED.
    const reader = new Redis(fx.redis.url);
    const keys = await reader.keys(`${KEY_PREFIX}:prediction:*`);
    const statuses = await Promise.all(keys.map((k) => reader.hget(k, 'status')));
    reader.disconnect();
    const orphans = keys.length - counts.completed;
    const stats = clients.map(({ name, client }) => ({ name, ...client.stats }));
    t.diagnostic(`exit codes (worker, API, worker): ${exitCodes.join(', ')}; calls: ${JSON.stringify(counts)}; prediction records ${keys.length} (${orphans} queued for a call that was told the outcome is unknown)`);
    for (const s of stats) t.diagnostic(`${s.name}: delivered ${s.delivered}, duplicates dropped ${s.duplicatesDropped}, reconnects ${s.reconnects}, re-subscribed ids ${s.resubscribedIds}, submit retries ${s.submitRetries}, long-polls ${s.longPolls}`);
    for (const { client } of clients) client.close();

    assert.deepEqual(exitCodes, [0, 0, 0], 'each process stopped gracefully');
    assert.equal(counts.settled, counts.started, 'no call was left hanging');
    assert.equal(counts.settledTwice, 0, 'no call settled twice');
    assert.equal(counts.repeatedIds, 0, 'no result reached two calls');
    for (const code of Object.keys(counts.rejected)) assert.ok(UNAVOIDABLE.has(code), `rejection ${code} (${counts.rejected[code]})`);
    const unavoidable = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
    assert.equal(counts.completed + unavoidable, counts.started);
    assert.ok(unavoidable <= 12, `only calls caught mid-request by the API stop may fail (${unavoidable})`);
    assert.ok(counts.completed >= 200);
    assert.ok(statuses.every((s) => s === 'completed'), 'every queued prediction completed on the server');
    assert.ok(orphans >= 0 && orphans <= unavoidable, `records without a completed call (${orphans}) are at most the unknown outcomes (${unavoidable})`);
    assert.equal(stats.reduce((n, s) => n + s.delivered, 0), counts.completed, 'one delivery per completed call');
    assert.ok(stats[0]!.reconnects >= 1 && stats[1]!.reconnects >= 1, 'both push clients reconnected after the API restart');
    assert.equal(stats[2]!.connects, 0, 'the long-poll client never opened a socket');
  });
});
