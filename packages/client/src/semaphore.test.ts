import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { startDeadline } from './deadline.js';
import { InferqClientError } from './errors.js';
import { Semaphore } from './semaphore.js';

describe('maxInFlight semaphore and back-off', () => {
  it('lets `limit` through, queues the rest in order, and hands slots on', async () => {
    const semaphore = new Semaphore(2);
    const deadline = startDeadline(0, undefined, 'test');
    const order: number[] = [];
    const releases = await Promise.all([semaphore.acquire(deadline), semaphore.acquire(deadline)]);
    const third = semaphore.acquire(deadline).then((r) => { order.push(3); return r; });
    const fourth = semaphore.acquire(deadline).then((r) => { order.push(4); return r; });
    assert.deepEqual([semaphore.inFlight, semaphore.queued], [2, 2]);
    releases[0]!();
    releases[0]!(); // twice is once
    (await third)();
    releases[1]!();
    (await fourth)();
    assert.deepEqual(order, [3, 4]);
    assert.deepEqual([semaphore.inFlight, semaphore.queued], [0, 0]);
    deadline.dispose();
  });

  it('stops waiting when the caller aborts', async () => {
    const semaphore = new Semaphore(1);
    const free = startDeadline(0, undefined, 'holder');
    const release = await semaphore.acquire(free);
    const controller = new AbortController();
    const waiting = startDeadline(0, controller.signal, 'waiter');
    const attempt = semaphore.acquire(waiting);
    controller.abort();
    await assert.rejects(attempt, (e: InferqClientError) => e.code === 'ABORTED');
    assert.equal(semaphore.queued, 0);
    release();
    assert.equal(semaphore.inFlight, 0);
    free.dispose();
    waiting.dispose();
  });

  it('backs off exponentially with jitter, capped', () => {
    const options = { ...DEFAULT_BACKOFF, initialDelayMs: 100, maxDelayMs: 1_000 };
    assert.equal(backoffDelay(1, options, () => 0), 50);
    assert.equal(backoffDelay(3, options, () => 0.999999), 400);
    assert.equal(backoffDelay(20, options, () => 0.999999), 1_000);
  });
});
