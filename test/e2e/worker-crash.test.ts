/**
 * A worker killed with SIGKILL in the middle of a batch, under load, loses nothing.
 *
 * A real redis-server, the API and two worker processes (short job locks: LOCK_DURATION_MS 2000,
 * STALLED_INTERVAL_MS 1000). A few hundred mixed requests over REST (long-poll) and two
 * WebSockets (push). As soon as the victim has predictions marked `running` (a batch in flight)
 * it is killed. BullMQ's stalled-job check on the survivor re-queues the victim's jobs once their
 * locks lapse; the survivor runs them. Every accepted request must end `completed` with exactly
 * the direct-inference result, and each WebSocket client must get exactly one result per id.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import type { PredictionRecord, PredictionStatus } from '@inferq/contract';
import { waitUntil } from '../helpers/processes.js';
import { useProcessStack } from '../helpers/process-stack.js';
import { DirectModel, irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { countOutcomes, pollUntilFinal, ResilientSocket, submitRest } from '../helpers/fault-clients.js';

const KEY_PREFIX = 'crash';
const VICTIM = 'crash-w0';
const SURVIVOR = 'crash-w1';

interface Case { model: 'iris' | 'text-orientation'; data: number[]; shape: number[]; ws: boolean }

function makeCases(): Case[] {
  const random = seededRandom(7);
  const cases: Case[] = [];
  for (let i = 0; i < 300; i++) {
    const ws = i % 3 === 1; // 100 over WebSocket, 200 over REST
    if (i % 2 === 0) cases.push({ model: 'text-orientation', data: textLineImages(random, 1).map((v) => Math.round(v * 100) / 100), shape: [1, 3, 48, 192], ws });
    else {
      const rows = 1 + Math.floor(random() * 3);
      cases.push({ model: 'iris', data: irisRows(random, rows), shape: [rows, 4], ws });
    }
  }
  return cases;
}
const request = (c: Case) => ({ inputs: [{ name: c.model === 'iris' ? 'features' : 'x', shape: c.shape, datatype: 'FP32', data: c.data }] });

describe('e2e: kill -9 of a worker mid-batch under load', () => {
  const fx = useProcessStack({ keyPrefix: KEY_PREFIX, probe: true, workerEnv: { LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000' }, workers: 2, start: (stack) => {
    for (const id of [VICTIM, SURVIVOR]) stack.startWorker(id, { LOG_LEVEL: 'debug', RUNNING_MARK_DELAY_MS: '0' }); // marked at once: the test waits for a batch in flight
    stack.startApi();
  } });

  it('completes every accepted request exactly once, with the right result', async (t) => {
    const { base, workers } = fx.stack;
    const { probe } = fx;
    const cases = makeCases();
    const sockets = [0, 1].map(() => new ResilientSocket(() => `${base.replace('http', 'ws')}/v1/ws`));
    await Promise.all(sockets.map((s) => s.ready()));
    const idOf = new Map<number, string>();
    const accepted: string[] = [];
    const deadline = Date.now() + 45_000;

    // The victim dies as soon as one of its batches is in flight (records marked running by it).
    let killedAt = 0;
    let inFlightAtKill: string[] = [];
    const killer = (async () => {
      const victim = workers[0]!.child;
      const runningOnVictim = async (): Promise<string[]> => {
        const ids = [...accepted];
        const pipeline = probe.pipeline();
        for (const id of ids) pipeline.hmget(`${KEY_PREFIX}:prediction:${id}`, 'status', 'worker');
        const rows = (await pipeline.exec()) ?? [];
        return ids.filter((_, i) => {
          const [status, worker] = (rows[i]?.[1] ?? []) as [string | null, string | null];
          return status === 'running' && worker?.includes(VICTIM);
        });
      };
      await waitUntil(async () => workers[0]!.logs().filter((l) => l.msg === 'batch done').length >= 2, 30_000, 'the victim to run batches', 5);
      // Freeze the victim when it has a batch in flight, check that the batch is still unfinished
      // (nothing moves while it is frozen: the survivor waits for the lock to lapse), then kill it.
      await waitUntil(async () => {
        if ((await runningOnVictim()).length === 0) return false;
        victim.kill('SIGSTOP');
        inFlightAtKill = await runningOnVictim();
        if (inFlightAtKill.length === 0) {
          victim.kill('SIGCONT'); // the batch ended just before: try the next one
          return false;
        }
        victim.kill('SIGKILL');
        killedAt = Date.now();
        return true;
      }, 20_000, 'a batch in flight on the victim', 2);
      if (victim.exitCode === null && victim.signalCode === null) await once(victim, 'exit');
    })();

    const finals = new Map<string, PredictionStatus>();
    const records = new Map<string, PredictionRecord>();
    // REST: the text-orientation requests in one burst (a backlog, so batches grow to tens of
    // images and take tens of ms), the iris ones from 16 clients one after another; the two
    // sockets send their share one after another too.
    const restCases = cases.map((c, i) => ({ c, i })).filter(({ c }) => !c.ws);
    const wsCases = cases.map((c, i) => ({ c, i })).filter(({ c }) => c.ws);
    const burst = restCases.filter(({ c }) => c.model === 'text-orientation');
    const paced = restCases.filter(({ c }) => c.model === 'iris');
    const restClients = [...burst.map((x) => [x]), ...Array.from({ length: 16 }, (_, k) => paced.filter((_, j) => j % 16 === k))].map((share) => (async () => {
      for (const { c, i } of share) {
        const outcome = await submitRest(base, c.model, request(c));
        assert.equal(outcome.status, 202, JSON.stringify(outcome));
        idOf.set(i, outcome.id!);
        accepted.push(outcome.id!);
      }
    })());
    const wsClients = sockets.map((socket, k) => (async () => {
      for (const { c, i } of wsCases.filter((_, j) => j % 2 === k)) {
        const outcome = await socket.predict(c.model, request(c));
        assert.ok(outcome.id, JSON.stringify(outcome));
        idOf.set(i, outcome.id);
        accepted.push(outcome.id);
      }
    })());
    await Promise.all([...restClients, ...wsClients]);
    await killer;

    // Wait for every accepted request: REST by long-poll, WebSocket by push.
    const restIds = restCases.map(({ i }) => idOf.get(i)!);
    await Promise.all([
      ...restIds.map(async (id) => {
        const record = await pollUntilFinal(() => base, id, deadline);
        if (record) { finals.set(id, record.status); records.set(id, record); }
      }),
      ...sockets.map((s) => s.settled(deadline)),
    ]);
    for (const socket of sockets) for (const [id, message] of socket.results) finals.set(id, message.status);
    const counts = countOutcomes(accepted, finals, sockets);
    const stalled = workers[1]!.logs().filter((l) => String(l.msg).startsWith('job stalled')).length;
    t.diagnostic(`killed ${VICTIM} with ${inFlightAtKill.length} predictions in a running batch; survivor re-queued ${stalled} stalled jobs; all done ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    t.diagnostic(`counts: ${JSON.stringify(counts)}`);
    for (const socket of sockets) socket.close();

    assert.ok(inFlightAtKill.length > 0, 'the victim was killed in the middle of a batch');
    assert.ok(stalled > 0, 'the survivor recovered the victim\'s jobs through the stalled check');
    assert.deepEqual(counts, { accepted: cases.length, completed: cases.length, failed: 0, expired: 0, missing: 0, duplicateDeliveries: 0 });
    for (const id of inFlightAtKill) {
      const record = (await (await fetch(`${base}/v1/predictions/${id}`)).json()) as PredictionRecord;
      assert.equal(record.worker?.id, SURVIVOR, `${id}, in flight on the victim, was re-run by the survivor`);
    }

    // Every result equals direct inference (a re-run changes nothing).
    const [irisModel, textModel] = await Promise.all([DirectModel.load('iris'), DirectModel.load('text-orientation')]);
    const bySocket = new Map<string, { outputs: Array<{ name: string; data: unknown[] }> }>();
    for (const socket of sockets) for (const [id, m] of socket.results) if (m.status === 'completed') bySocket.set(id, m.result);
    for (const [i, c] of cases.entries()) {
      const id = idOf.get(i)!;
      const result = records.get(id)?.result ?? bySocket.get(id);
      assert.ok(result, `case ${i} has a result`);
      const direct = c.model === 'iris' ? await irisModel.run('features', c.data, c.shape) : await textModel.run('x', c.data, c.shape);
      for (const output of result.outputs) assert.deepEqual(output.data.map(Number), direct[output.name], `case ${i} ${output.name}`);
    }

    // Nothing is left behind in the queues, and the survivor is still healthy.
    for (const model of ['iris', 'text-orientation']) {
      const [wait, prioritized, active] = await Promise.all([
        probe.llen(`${KEY_PREFIX}:predict-${model}:wait`), probe.zcard(`${KEY_PREFIX}:predict-${model}:prioritized`), probe.llen(`${KEY_PREFIX}:predict-${model}:active`),
      ]);
      assert.deepEqual([wait, prioritized, active], [0, 0, 0], model);
    }
    assert.equal(workers[1]!.child.exitCode, null);
  });
});
