/**
 * Rolling restarts under load lose nothing: SIGTERM to a worker, then to the API, then to the
 * other worker, each restarted at once, while REST and WebSocket clients keep submitting.
 *
 * Job locks keep their default (LOCK_DURATION_MS 30 s): a stopped worker must finish what it
 * holds, since a job it left locked would only come back after the lock lapsed, past this test's
 * time. Clients behave as a user would: a submit refused (503, connection refused while the API
 * restarts) is not accepted and is simply sent again later; pollers and sockets reconnect. Every
 * accepted request must complete, each WebSocket client getting one result per id, and every
 * process must exit 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionStatus } from '@inferq/contract';
import { waitUntil } from '../helpers/processes.js';
import { useProcessStack } from '../helpers/process-stack.js';
import { irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { countOutcomes, pollUntilFinal, ResilientSocket, submitRest } from '../helpers/fault-clients.js';

const KEY_PREFIX = 'rolling';
const random = seededRandom(5);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bodyFor = (k: number) => (k % 6 === 0
  ? { model: 'text-orientation', body: { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: textLineImages(random, 1).map((v) => Math.round(v * 100) / 100) }] } }
  : { model: 'iris', body: { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: irisRows(random, 2) }] } });

describe('e2e: graceful rolling restart of workers and API under load', () => {
  const fx = useProcessStack({ keyPrefix: KEY_PREFIX, workerEnv: { LOCK_DURATION_MS: '30000' } });

  it('completes every accepted request through SIGTERM and restart of each process', async (t) => {
    const { base } = fx.stack;
    const workers = [fx.stack.startWorker('rolling-w0'), fx.stack.startWorker('rolling-w1')];
    const api = fx.stack.startApi();
    await fx.stack.waitReady(2);

    // Load: 6 REST clients and 2 sockets submitting until told to stop.
    let stopping = false;
    const restAccepted: string[] = [];
    let refused = 0;
    const deadline = Date.now() + 55_000;
    const finals = new Map<string, PredictionStatus>();
    const polls: Array<Promise<void>> = [];
    const sockets = [0, 1].map(() => new ResilientSocket(() => `ws://127.0.0.1:${fx.stack.port}/v1/ws`));
    const acceptedCount = () => restAccepted.length + sockets.reduce((n, s) => n + s.accepted.size, 0);
    const restClients = Array.from({ length: 6 }, (_, c) => (async () => {
      for (let k = c; !stopping; k += 6) {
        const { model, body } = bodyFor(k);
        const outcome = await submitRest(base, model, body);
        if (outcome.status === 202) {
          restAccepted.push(outcome.id!);
          polls.push(pollUntilFinal(() => base, outcome.id!, deadline).then((record) => { if (record) finals.set(outcome.id!, record.status); }));
        } else {
          refused++;
          assert.ok([0, 503].includes(outcome.status), `a refusal is a 503 or no connection: ${JSON.stringify(outcome)}`);
          // A 503 from a stopping API carries the registry's code (not Fastify's bare closing body).
          if (outcome.status === 503) assert.ok(outcome.code === 'API_SHUTTING_DOWN' || outcome.code === 'QUEUE_UNAVAILABLE', `a 503 with a registry code: ${JSON.stringify(outcome)}`);
        }
        await pause(outcome.status === 202 ? 30 : 100);
      }
    })());
    const wsClients = sockets.map((socket, c) => (async () => {
      for (let k = c; !stopping; k += 2) {
        const { model, body } = bodyFor(k + 1);
        const outcome = await socket.predict(model, body);
        await pause(outcome.id ? 30 : 100);
      }
    })());

    // The rolling restart, each step once enough new work was accepted.
    const exitCodes: Array<number | null> = [];
    const afterMore = async (n: number) => {
      const target = acceptedCount() + n;
      await waitUntil(async () => acceptedCount() >= target, 20_000, `${n} more accepted requests`, 20);
    };
    await afterMore(60);
    exitCodes.push(await workers[0]!.stop(25_000));
    fx.stack.startWorker('rolling-w0'); // its replacement: stopped with every process in after()
    await afterMore(60);
    const apiStopStarted = Date.now();
    exitCodes.push(await api.stop(25_000));
    const apiStopMs = Date.now() - apiStopStarted;
    fx.stack.startApi();
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).ok, 30_000, 'the restarted API', 50);
    await afterMore(60);
    exitCodes.push(await workers[1]!.stop(25_000));
    fx.stack.startWorker('rolling-w1');
    await afterMore(60);
    stopping = true;
    await Promise.all([...restClients, ...wsClients]);

    // Everything accepted completes, well within the 30 s lock: nothing was left locked.
    const loadStopped = Date.now();
    await Promise.all([...polls, ...sockets.map((s) => s.settled(deadline))]);
    const drainMs = Date.now() - loadStopped;
    for (const socket of sockets) for (const [id, message] of socket.results) finals.set(id, message.status);
    const accepted = [...restAccepted, ...sockets.flatMap((s) => [...s.accepted])];
    const counts = countOutcomes(accepted, finals, sockets);
    const stalled = fx.stack.processes.flatMap((p) => p.logs()).filter((l) => String(l.msg).startsWith('job stalled')).length;
    t.diagnostic(`exit codes (worker, API, worker): ${exitCodes.join(', ')}; API stopped in ${apiStopMs} ms with long-polls open; submits refused while restarting: ${refused}; socket closes: ${sockets.map((s) => s.reconnects).join(', ')}; drained ${drainMs} ms after the load stopped; stalled jobs: ${stalled}`);
    t.diagnostic(`counts: ${JSON.stringify(counts)}`);
    for (const socket of sockets) socket.close();

    assert.deepEqual(exitCodes, [0, 0, 0], 'each process stopped gracefully');
    assert.equal(stalled, 0, 'no job was left behind for the stalled check');
    assert.ok(drainMs < 20_000, `drained in ${drainMs} ms, before any 30 s lock could have lapsed`);
    assert.ok(apiStopMs < 5_000, `the API answered its long-polls and stopped in ${apiStopMs} ms`);
    assert.ok(sockets.every((s) => s.reconnects >= 1), 'the sockets lived through the API restart by reconnecting');
    assert.ok(counts.accepted >= 240);
    assert.deepEqual(counts, { accepted: counts.accepted, completed: counts.accepted, failed: 0, expired: 0, missing: 0, duplicateDeliveries: 0 });
    const stoppedLogs = fx.stack.processes.filter((p) => p.logs().some((l) => l.msg === 'worker stopped')).length;
    assert.ok(stoppedLogs >= 2, 'the stopped workers logged a clean stop');
  });
});
