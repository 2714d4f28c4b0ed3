/**
 * Redis killed (SIGKILL) and restarted under load, with `appendfsync always`: nothing
 * acknowledged is lost.
 *
 * The API and two worker processes (one serving iris, one text-orientation, so each worker's
 * BullMQ consumer must come back on its own). Phase 1: a few hundred requests over REST and two
 * WebSockets, all acknowledged; Redis is killed while they are being worked on. During the outage
 * the API answers at once (503 QUEUE_UNAVAILABLE with Retry-After; the WebSocket an error
 * message) and no process exits. Redis restarts on the same port and data directory, replaying
 * its AOF; every prediction acknowledged before the outage completes, results pushed to the
 * sockets that stayed open, and new work after the restart completes on both workers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionRecord, PredictionStatus } from '@inferq/contract';
import { waitUntil } from '../helpers/processes.js';
import { useProcessStack } from '../helpers/process-stack.js';
import { irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { countOutcomes, pollUntilFinal, ResilientSocket, submitRest } from '../helpers/fault-clients.js';

const KEY_PREFIX = 'restart';
const random = seededRandom(11);
const irisBody = () => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: irisRows(random, 1) }] });
const textBody = () => ({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: textLineImages(random, 1).map((v) => Math.round(v * 100) / 100) }] });

describe('e2e: Redis restart under load (appendfsync always)', () => {
  const fx = useProcessStack({ keyPrefix: KEY_PREFIX, redis: { appendfsync: 'always' }, workerEnv: { LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '1000' }, workers: 2, start: (stack) => {
    stack.startWorker('restart-iris', { MODELS: 'iris', LOG_LEVEL: 'debug' });
    stack.startWorker('restart-text', { MODELS: 'text-orientation', LOG_LEVEL: 'debug' });
    stack.startApi();
  } });

  it('loses nothing acknowledged, answers 503 during the outage, and recovers by itself', async (t) => {
    const { base, api, workers } = fx.stack;
    const deadline = Date.now() + 50_000;
    const sockets = [0, 1].map(() => new ResilientSocket(() => `${base.replace('http', 'ws')}/v1/ws`));
    await Promise.all(sockets.map((s) => s.ready()));

    // Phase 1: 200 REST (120 iris, 80 text) and 100 WebSocket (80 iris, 20 text) requests at
    // once; Redis is killed as soon as 150 of them are acknowledged, so the rest meet the outage.
    // The text worker is frozen (SIGSTOP) meanwhile, so its share is certainly still queued (or
    // held by a worker that went silent) when Redis dies; it thaws once Redis is back.
    const textWorker = workers[1]!.child;
    textWorker.kill('SIGSTOP');
    let acked = 0;
    let killedAt = 0;
    let killing: Promise<void> | undefined;
    const onAnswer = (accepted: boolean) => {
      if (accepted && ++acked === 150) {
        killedAt = Date.now();
        killing = fx.redis.kill();
      }
    };
    const [restOutcomes, wsOutcomes] = await Promise.all([
      Promise.all(Array.from({ length: 200 }, (_, i) => submitRest(base, i % 5 < 2 ? 'text-orientation' : 'iris', i % 5 < 2 ? textBody() : irisBody())
        .then((o) => { onAnswer(o.status === 202); return o; }))),
      Promise.all(Array.from({ length: 100 }, (_, i) => sockets[i % 2]!.predict(i % 5 === 0 ? 'text-orientation' : 'iris', i % 5 === 0 ? textBody() : irisBody())
        .then((o) => { onAnswer(o.id !== undefined); return o; }))),
    ]);
    await killing;
    const restIds = restOutcomes.filter((o) => o.status === 202).map((o) => o.id!);
    for (const o of restOutcomes) if (o.status !== 202) assert.deepEqual([o.status, o.code], [503, 'QUEUE_UNAVAILABLE'], JSON.stringify(o));
    for (const o of wsOutcomes) if (!o.id) assert.equal(o.code, 'QUEUE_UNAVAILABLE');
    const acknowledged = [...restIds, ...wsOutcomes.filter((o) => o.id).map((o) => o.id!)];
    const refusedInBurst = 300 - acknowledged.length;

    // The outage (2.5 s): quick, well-formed refusals; no process exits.
    // At least one probe even when the burst itself outlasted the 2.5 s (a loaded machine): Redis
    // stays down until the restart below, so every probe meets the outage.
    const refusals = [];
    do {
      refusals.push(await submitRest(base, 'iris', irisBody()));
      await new Promise((r) => setTimeout(r, 100)); // a client's pace, not synchronisation
    } while (Date.now() - killedAt < 2_500);
    const v2 = await fetch(`${base}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(irisBody()) });
    const poll = await fetch(`${base}/v1/predictions/${restIds[0]}`);
    const ready = await fetch(`${base}/v2/health/ready`);
    const live = await fetch(`${base}/v2/health/live`);
    const wsRefusal = await sockets[0]!.predict('iris', irisBody());
    t.diagnostic(`Redis killed after 150 acknowledgements: ${acknowledged.length} of 300 acknowledged in all, ${refusedInBurst} refused 503; ${refusals.length} submits during the outage answered 503 in at most ${Math.max(...refusals.map((r) => r.ms)).toFixed(0)} ms`);
    for (const refusal of refusals) {
      assert.equal(refusal.status, 503, JSON.stringify(refusal));
      assert.equal(refusal.code, 'QUEUE_UNAVAILABLE');
      assert.equal(refusal.retryAfter, '1');
      assert.ok(refusal.ms < 2_000, `answered in ${refusal.ms} ms, not hanging`);
    }
    assert.equal(v2.status, 503);
    assert.equal(((await v2.json()) as { code: string }).code, 'QUEUE_UNAVAILABLE');
    assert.equal(poll.status, 503);
    assert.equal(ready.status, 503);
    assert.equal(live.status, 200);
    assert.equal(wsRefusal.code, 'QUEUE_UNAVAILABLE');
    for (const p of [api, ...workers]) assert.equal(p.child.exitCode, null, 'still running');
    assert.equal(refusals.length > 0, true);

    // Restart on the same port and directory: the AOF brings back every acknowledged write.
    await fx.restartRedis();
    const restartedAt = Date.now();
    textWorker.kill('SIGCONT');
    t.diagnostic(`Redis was down ${((restartedAt - killedAt) / 1000).toFixed(1)} s`);

    // Phase 2: everything acknowledged before the outage completes.
    const finals = new Map<string, PredictionStatus>();
    await Promise.all([
      ...restIds.map(async (id) => {
        const record = await pollUntilFinal(() => base, id, deadline);
        if (record) finals.set(id, record.status);
      }),
      ...sockets.map((s) => s.settled(deadline)),
    ]);
    for (const socket of sockets) for (const [id, message] of socket.results) finals.set(id, message.status);
    const counts = countOutcomes(acknowledged, finals, sockets);
    // Which of them were still to do when Redis died: their result was written after the kill.
    const records = await Promise.all(acknowledged.map(async (id) => (await (await fetch(`${base}/v1/predictions/${id}`)).json()) as PredictionRecord));
    const finishedAfterKill = records.filter((r) => r.createdAt + (r.timings.totalMs ?? 0) > killedAt).length;
    t.diagnostic(`acknowledged before the outage: ${JSON.stringify(counts)}; ${finishedAfterKill} of them finished after the kill; recovered ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`);
    const textAcknowledged = records.filter((r) => r.model === 'text-orientation').length;
    assert.ok(finishedAfterKill >= textAcknowledged && textAcknowledged > 0, `the text worker's share (${textAcknowledged}) was still to do when Redis died`);
    assert.deepEqual(counts, { accepted: acknowledged.length, completed: acknowledged.length, failed: 0, expired: 0, missing: 0, duplicateDeliveries: 0 });
    assert.ok(acknowledged.length >= 150);

    // Phase 3: new work after the restart runs on both workers (each serves one model).
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).ok, 10_000, 'the API to see Redis again');
    const after = await Promise.all(Array.from({ length: 40 }, (_, i) => submitRest(base, i % 4 === 0 ? 'text-orientation' : 'iris', i % 4 === 0 ? textBody() : irisBody())));
    const wsAfter = await sockets[1]!.predict('text-orientation', textBody());
    assert.ok(after.every((o) => o.status === 202), JSON.stringify(after.find((o) => o.status !== 202)));
    assert.ok(wsAfter.id);
    const afterFinals = new Map<string, PredictionStatus>();
    await Promise.all([
      ...after.map(async ({ id }) => {
        const record = await pollUntilFinal(() => base, id!, deadline);
        if (record) afterFinals.set(id!, record.status);
      }),
      sockets[1]!.settled(deadline),
    ]);
    afterFinals.set(wsAfter.id, sockets[1]!.results.get(wsAfter.id)?.status ?? 'queued');
    const afterCounts = countOutcomes([...after.map((o) => o.id!), wsAfter.id], afterFinals, sockets);
    t.diagnostic(`after the restart: ${JSON.stringify(afterCounts)}`);
    assert.deepEqual(afterCounts, { accepted: 41, completed: 41, failed: 0, expired: 0, missing: 0, duplicateDeliveries: 0 });
    for (const worker of workers) {
      const batchesAfter = worker.logs().filter((l) => l.msg === 'batch done' && Number(l.time) > restartedAt).length;
      assert.ok(batchesAfter > 0, `${worker.logs().find((l) => l.workerId)?.workerId ?? 'a worker'} ran batches after the restart`);
    }
    for (const p of [api, ...workers]) assert.equal(p.child.exitCode, null, 'no process exited');
    for (const socket of sockets) socket.close();
    t.diagnostic(`WebSocket reconnects: ${sockets.map((s) => s.reconnects).join(', ')} (the API stayed up, so none were needed)`);
  });
});
