import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError } from '@inferq/contract';
import { QueueAdmission } from './queue-admission.js';

/** A fake queue whose depth the test sets, counting reads (each one a Redis round trip). */
function fakeQueue(depth = 0) {
  const state = { depth, reads: 0 };
  return { state, read: async () => { state.reads++; return state.depth; } };
}
const isFull = (e: unknown) => e instanceof InferqError && e.code === 'QUEUE_FULL' && e.statusCode === 429;

describe('QueueAdmission', () => {
  it('admits up to the limit from one depth reading, then refuses QUEUE_FULL', async () => {
    const queue = fakeQueue(2);
    let now = 0;
    const admission = new QueueAdmission(queue.read, 100, () => now);
    for (let i = 0; i < 3; i++) await admission.admit('m', 5);
    await assert.rejects(admission.admit('m', 5), isFull);
    assert.equal(queue.state.reads, 1, 'one read for four submits inside the refresh interval');
    now = 50;
    await assert.rejects(admission.admit('m', 5), isFull);
    assert.equal(queue.state.reads, 1);
  });

  it('reads again after the refresh interval and sees the queue drain', async () => {
    const queue = fakeQueue(5);
    let now = 0;
    const admission = new QueueAdmission(queue.read, 100, () => now);
    await assert.rejects(admission.admit('m', 5), isFull);
    queue.state.depth = 4;
    now = 100;
    await admission.admit('m', 5);
    await assert.rejects(admission.admit('m', 5), isFull);
    assert.equal(queue.state.reads, 2);
  });

  it('shares one reading among concurrent submits and never admits past the limit', async () => {
    const queue = fakeQueue(0);
    const admission = new QueueAdmission(queue.read, 100, () => 0);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => admission.admit('m', 7)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 7);
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => isFull((r as PromiseRejectedResult).reason)));
    assert.equal(queue.state.reads, 1);
  });

  it('gives a slot back when its enqueue failed, once', async () => {
    const admission = new QueueAdmission(fakeQueue(0).read, 100, () => 0);
    const release = await admission.admit('m', 1);
    await assert.rejects(admission.admit('m', 1), isFull);
    release();
    release();
    await admission.admit('m', 1);
    await assert.rejects(admission.admit('m', 1), isFull);
  });

  it('keeps models apart, and a failed read fails the submit without caching', async () => {
    let fail = true;
    const admission = new QueueAdmission(async (model) => {
      if (fail) throw new Error('redis down');
      return model === 'a' ? 1 : 0;
    }, 100, () => 0);
    await assert.rejects(admission.admit('a', 2), /redis down/);
    fail = false;
    await admission.admit('a', 2);
    await assert.rejects(admission.admit('a', 2), isFull);
    await admission.admit('b', 2);
  });
});
