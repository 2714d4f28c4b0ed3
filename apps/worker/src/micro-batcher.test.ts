import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MicroBatcher, type BatchPolicy, type MicroBatcherOptions } from './micro-batcher.js';
import type { Scheduler } from './scheduler.js';

/** A clock the test moves by hand: timers fire in `advance`, deferred work in `runDeferred`. */
class FakeScheduler implements Scheduler {
  time = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  #nextHandle = 1;
  #deferred: Array<() => void> = [];

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const handle = this.#nextHandle++;
    this.#timers.set(handle, { at: this.time + ms, fn });
    return handle;
  }

  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  defer(fn: () => void): void {
    this.#deferred.push(fn);
  }

  /** Runs deferred work, including work deferred while running it. */
  runDeferred(): void {
    while (this.#deferred.length > 0) for (const fn of this.#deferred.splice(0)) fn();
  }

  /** Moves the clock by `ms`, firing due timers in order at their own times. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = target;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  get pendingDeferred(): number {
    return this.#deferred.length;
  }
}

/** A promise with its settle functions exposed. */
interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise reaction run (not a sleep: the fake clock does not move). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One call of `runBatch`, settled by the test. */
interface Call<T, R> {
  items: T[];
  result: Deferred<R[]>;
}

interface Item {
  id: string;
  rows?: number;
  key?: string;
}

/** A batcher over a fake clock whose runBatch calls are recorded and settled by the test. */
function setup(policy: BatchPolicy, options: Partial<MicroBatcherOptions<Item, string>> = {}) {
  const scheduler = new FakeScheduler();
  const calls: Array<Call<Item, string>> = [];
  const batcher = new MicroBatcher<Item, string>({
    policy: () => policy,
    runBatch: (items) => {
      const result = deferred<string[]>();
      calls.push({ items, result });
      return result.promise;
    },
    sizeOf: (item) => item.rows ?? 1,
    keyOf: (item) => item.key ?? '',
    scheduler,
    ...options,
  });
  /** Submits items; returns their promises, with outcomes recorded as they settle. */
  const outcomes = new Map<string, { value?: string; error?: unknown }>();
  /** Submits and records each outcome in `outcomes`, which is what most tests check. */
  const track = (item: Item) => {
    const promise = batcher.submit(item);
    promise.then((value) => outcomes.set(item.id, { value }), (error: unknown) => outcomes.set(item.id, { error }));
    return promise;
  };
  const submit = (...items: Item[]): void => {
    for (const item of items) {
      batcher.submit(item).then((value) => outcomes.set(item.id, { value }), (error: unknown) => outcomes.set(item.id, { error }));
    }
  };
  /** As `submit`, also returning each item's promise for tests that await one. */
  const submitted = (...items: Item[]) => items.map(track);
  /** Resolves call `index` with one result per item: `<id>!`. */
  const complete = async (index: number) => {
    const call = calls[index];
    assert.ok(call, `runBatch call ${index} should exist (there were ${calls.length})`);
    call.result.resolve(call.items.map((item) => `${item.id}!`));
    await settle();
  };
  const ids = () => calls.map((c) => c.items.map((i) => i.id));
  return { scheduler, batcher, calls, submit, submitted, complete, ids, outcomes };
}

const item = (id: string, rows?: number, key?: string): Item => {
  const out: Item = { id };
  if (rows !== undefined) out.rows = rows;
  if (key !== undefined) out.key = key;
  return out;
};

describe('MicroBatcher with delay 0', () => {
  it('runs a lone item at once, after the deferred pump', async () => {
    const { scheduler, batcher, calls, submitted, complete, ids } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    const [a] = submitted(item('a'));
    assert.equal(calls.length, 0, 'nothing runs inside submit');
    assert.equal(batcher.pendingCount, 1);
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a']]);
    assert.equal(scheduler.pendingTimers, 0, 'no timer for delay 0');
    assert.equal(batcher.pendingCount, 0);
    assert.equal(batcher.inFlightCount, 1);
    await complete(0);
    assert.equal(await a, 'a!');
    assert.equal(batcher.inFlightCount, 0);
  });

  it('puts items submitted in the same turn in one batch, results in order', async () => {
    const { scheduler, submitted, ids, calls } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    const promises = submitted(item('a'), item('b'), item('c'));
    assert.equal(scheduler.pendingDeferred, 1, 'one pump for the whole turn');
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b', 'c']]);
    calls[0]!.result.resolve(['ra', 'rb', 'rc']);
    assert.deepEqual(await Promise.all(promises), ['ra', 'rb', 'rc']);
  });

  it('accumulates items while a batch is in flight and runs them as the next batch', async () => {
    const { scheduler, batcher, submit, complete, ids, outcomes } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    submit(item('a'));
    scheduler.runDeferred();
    submit(item('b'));
    scheduler.runDeferred();
    submit(item('c'), item('d'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a']], 'the runner is busy');
    assert.equal(batcher.pendingCount, 3);
    await complete(0);
    assert.deepEqual(outcomes.get('a'), { value: 'a!' });
    assert.deepEqual(ids(), [['a'], ['b', 'c', 'd']]);
    assert.equal(batcher.pendingCount, 0);
    await complete(1);
    assert.deepEqual(['b', 'c', 'd'].map((id) => outcomes.get(id)?.value), ['b!', 'c!', 'd!']);
  });

  it('respects maxBatchSize in rows, with items of different sizes', async () => {
    const { scheduler, submit, complete, ids, calls } = setup({ maxBatchSize: 4, maxQueueDelayMs: 0 });
    submit(item('a', 2), item('b', 1), item('c', 2), item('d', 3), item('e', 1), item('f', 1));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b']], 'a+b = 3 rows; c would make 5');
    await complete(0);
    assert.deepEqual(ids()[1], ['c'], 'c+d = 5 rows');
    await complete(1);
    assert.deepEqual(ids()[2], ['d', 'e'], 'd+e = 4 rows: a full batch');
    await complete(2);
    assert.deepEqual(ids()[3], ['f']);
    await complete(3);
    assert.equal(calls.length, 4);
  });

  it('runs an item larger than maxBatchSize alone', async () => {
    const { scheduler, submit, complete, ids, outcomes } = setup({ maxBatchSize: 4, maxQueueDelayMs: 0 });
    submit(item('small', 1), item('big', 10), item('after', 1));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['small']]);
    await complete(0);
    assert.deepEqual(ids()[1], ['big']);
    await complete(1);
    assert.deepEqual(ids()[2], ['after']);
    await complete(2);
    assert.equal(outcomes.get('big')?.value, 'big!');
  });

  it('counts an item of size 0 as one row', async () => {
    const { scheduler, submit, ids } = setup({ maxBatchSize: 2, maxQueueDelayMs: 0 });
    submit(item('a', 0), item('b', 0), item('c', 0));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b']]);
  });

  it('treats maxBatchSize 0 as 1', async () => {
    const { scheduler, submit, ids } = setup({ maxBatchSize: 0, maxQueueDelayMs: 0 });
    submit(item('a'), item('b'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a']]);
  });
});

describe('MicroBatcher with a queue delay', () => {
  it('waits until the oldest item has waited the delay', async () => {
    const { scheduler, submit, ids, complete, outcomes } = setup({ maxBatchSize: 8, maxQueueDelayMs: 10 });
    submit(item('a'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), []);
    assert.equal(scheduler.pendingTimers, 1);
    scheduler.advance(5);
    submit(item('b'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), []);
    assert.equal(scheduler.pendingTimers, 1, 'the timer is replaced, not added to');
    scheduler.advance(4);
    assert.deepEqual(ids(), [], 'a has waited 9 ms');
    scheduler.advance(1);
    assert.deepEqual(ids(), [['a', 'b']], 'a has waited 10 ms: both go');
    assert.equal(scheduler.pendingTimers, 0);
    await complete(0);
    assert.equal(outcomes.get('b')?.value, 'b!');
  });

  it('runs at once when the batch is already full', () => {
    const { scheduler, submit, ids } = setup({ maxBatchSize: 3, maxQueueDelayMs: 1000 });
    submit(item('a'), item('b'), item('c'), item('d'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b', 'c']]);
    assert.equal(scheduler.time, 0);
  });

  it('runs as soon as the batch fills during the wait', () => {
    const { scheduler, submit, ids } = setup({ maxBatchSize: 4, maxQueueDelayMs: 100 });
    submit(item('a'));
    scheduler.runDeferred();
    scheduler.advance(30);
    submit(item('b', 2));
    scheduler.runDeferred();
    assert.deepEqual(ids(), []);
    scheduler.advance(10);
    submit(item('c'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b', 'c']]);
    assert.equal(scheduler.time, 40);
    assert.equal(scheduler.pendingTimers, 0);
  });

  it('times the wait from the oldest item, and restarts it for what remains', async () => {
    const { scheduler, submit, ids, complete } = setup({ maxBatchSize: 2, maxQueueDelayMs: 10 });
    submit(item('a'), item('b'), item('c'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b']]);
    scheduler.advance(3);
    await complete(0);
    assert.deepEqual(ids(), [['a', 'b']], 'c has waited 3 ms');
    scheduler.advance(7);
    assert.deepEqual(ids(), [['a', 'b'], ['c']]);
  });

  it('runs at once what has already waited long enough when the runner frees up', async () => {
    const { scheduler, submit, ids, complete } = setup({ maxBatchSize: 8, maxQueueDelayMs: 10 });
    submit(item('a'));
    scheduler.runDeferred();
    scheduler.advance(10);
    submit(item('b'));
    scheduler.runDeferred();
    scheduler.advance(50);
    assert.deepEqual(ids(), [['a']], 'b waits for the runner, not for its timer');
    await complete(0);
    assert.deepEqual(ids(), [['a'], ['b']]);
  });
});

describe('MicroBatcher keys', () => {
  it('never mixes items of different keys', async () => {
    const { scheduler, submit, ids, complete } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    submit(item('x1', 1, 'x'), item('y1', 1, 'y'), item('x2', 1, 'x'), item('y2', 1, 'y'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['x1', 'x2']], 'the oldest group first');
    await complete(0);
    assert.deepEqual(ids(), [['x1', 'x2'], ['y1', 'y2']]);
  });

  it('serves groups oldest first', async () => {
    const { scheduler, submit, ids, complete } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    submit(item('first', 1, 'x'));
    scheduler.runDeferred();
    scheduler.advance(1);
    submit(item('y1', 1, 'y'));
    scheduler.advance(1);
    submit(item('z1', 1, 'z'), item('x2', 1, 'x'));
    scheduler.runDeferred();
    await complete(0);
    assert.deepEqual(ids()[1], ['y1']);
    await complete(1);
    assert.deepEqual(ids()[2], ['z1']);
    await complete(2);
    assert.deepEqual(ids()[3], ['x2']);
  });

  it('runs different keys side by side when more runners are free', () => {
    const { scheduler, submit, ids } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 }, { maxConcurrentBatches: 2 });
    submit(item('x1', 1, 'x'), item('y1', 1, 'y'), item('x2', 1, 'x'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['x1', 'x2'], ['y1']]);
  });
});

describe('MicroBatcher failures', () => {
  it('rejects every item of a failed batch, and only that batch', async () => {
    const { scheduler, submit, submitted, ids, calls, complete, outcomes } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    const [a, b] = submitted(item('a'), item('b'));
    scheduler.runDeferred();
    submit(item('c'));
    scheduler.runDeferred();
    const error = new Error('onnxruntime: bad input');
    calls[0]!.result.reject(error);
    await assert.rejects(a!, (e: unknown) => e === error);
    await assert.rejects(b!, (e: unknown) => e === error);
    await settle();
    assert.deepEqual(ids(), [['a', 'b'], ['c']], 'the batcher keeps going');
    await complete(1);
    assert.deepEqual(outcomes.get('c'), { value: 'c!' });
  });

  it('rejects the batch when runBatch throws synchronously', async () => {
    const scheduler = new FakeScheduler();
    const batcher = new MicroBatcher<string, string>({
      policy: () => ({ maxBatchSize: 4, maxQueueDelayMs: 0 }),
      runBatch: () => {
        throw new TypeError('sync failure');
      },
      scheduler,
    });
    const promises = [batcher.submit('a'), batcher.submit('b')];
    scheduler.runDeferred();
    for (const promise of promises) await assert.rejects(promise, /sync failure/);
    await settle();
    assert.equal(batcher.inFlightCount, 0);
  });

  it('rejects every item when runBatch returns the wrong number of results', async () => {
    const { scheduler, submitted, calls } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    const promises = submitted(item('a'), item('b'));
    scheduler.runDeferred();
    calls[0]!.result.resolve(['only one']);
    for (const promise of promises) await assert.rejects(promise, /runBatch returned 1 results for 2 items/);
  });

  it('rejects when runBatch returns too many results', async () => {
    const { scheduler, submitted, calls } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    const [a] = submitted(item('a'));
    scheduler.runDeferred();
    calls[0]!.result.resolve(['1', '2']);
    await assert.rejects(a!, /returned 2 results for 1 items/);
  });

  it('rejects the item when keyOf throws', async () => {
    const { submitted } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 }, { keyOf: () => { throw new Error('no key'); } });
    await assert.rejects(submitted(item('a'))[0]!, /no key/);
  });
});

describe('MicroBatcher policy', () => {
  it('reads the policy on every decision, so changes apply at once', async () => {
    const policy: BatchPolicy = { maxBatchSize: 1, maxQueueDelayMs: 0 };
    const { scheduler, submit, ids, complete } = setup(policy);
    submit(item('a'), item('b'), item('c'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a']]);
    policy.maxBatchSize = 10;
    await complete(0);
    assert.deepEqual(ids()[1], ['b', 'c'], 'the bigger batch size applies to the next batch');
    await complete(1);

    policy.maxQueueDelayMs = 50;
    submit(item('d'));
    scheduler.runDeferred();
    assert.equal(ids().length, 2, 'd waits now');
    scheduler.advance(49);
    assert.equal(ids().length, 2);
    scheduler.advance(1);
    assert.deepEqual(ids()[2], ['d']);
    await complete(2);

    policy.maxQueueDelayMs = 0;
    submit(item('e'));
    scheduler.runDeferred();
    assert.deepEqual(ids()[3], ['e'], 'no wait once the delay is 0 again');
  });

  it('applies a shorter delay at the next decision', () => {
    const policy: BatchPolicy = { maxBatchSize: 10, maxQueueDelayMs: 100 };
    const { scheduler, submit, ids } = setup(policy);
    submit(item('a'));
    scheduler.runDeferred();
    scheduler.advance(20);
    policy.maxQueueDelayMs = 10;
    submit(item('b'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b']], 'a has already waited more than the new delay');
  });

  it('applies a smaller batch size to what is waiting', () => {
    const policy: BatchPolicy = { maxBatchSize: 10, maxQueueDelayMs: 100 };
    const { scheduler, submit, ids } = setup(policy);
    submit(item('a'), item('b'), item('c'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), []);
    policy.maxBatchSize = 2;
    submit(item('d'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b']]);
  });
});

describe('MicroBatcher.drain', () => {
  it('flushes waiting items at once despite a delay, and resolves when they are done', async () => {
    const { scheduler, batcher, submit, ids, complete, outcomes } = setup({ maxBatchSize: 8, maxQueueDelayMs: 1000 });
    submit(item('a'), item('b'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), []);
    let drained = false;
    const draining = batcher.drain().then(() => {
      drained = true;
    });
    assert.deepEqual(ids(), [['a', 'b']], 'drain runs them without waiting');
    assert.equal(scheduler.pendingTimers, 0, 'the wait timer is cleared');
    await settle();
    assert.equal(drained, false, 'the batch is still running');
    await complete(0);
    await draining;
    assert.equal(drained, true);
    assert.deepEqual(outcomes.get('a'), { value: 'a!' });
    assert.equal(scheduler.time, 0, 'the clock never moved');
  });

  it('waits for batches in flight and runs everything behind them', async () => {
    const { scheduler, batcher, submit, ids, complete } = setup({ maxBatchSize: 2, maxQueueDelayMs: 1000 });
    submit(item('a'), item('b'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b']]);
    submit(item('c'), item('d'), item('e'));
    scheduler.runDeferred();
    let drained = false;
    const draining = batcher.drain().then(() => {
      drained = true;
    });
    assert.equal(ids().length, 1, 'the one runner is busy');
    await complete(0);
    assert.deepEqual(ids()[1], ['c', 'd']);
    assert.equal(drained, false);
    await complete(1);
    assert.deepEqual(ids()[2], ['e'], 'a partial batch goes at once while draining');
    assert.equal(drained, false);
    await complete(2);
    await draining;
    assert.equal(drained, true);
    assert.equal(batcher.pendingCount, 0);
    assert.equal(batcher.inFlightCount, 0);
  });

  it('resolves at once when there is nothing to do', async () => {
    const { batcher } = setup({ maxBatchSize: 2, maxQueueDelayMs: 1000 });
    await batcher.drain();
  });

  it('resolves even when batches fail', async () => {
    const { scheduler, batcher, submitted, calls } = setup({ maxBatchSize: 2, maxQueueDelayMs: 0 });
    const [a] = submitted(item('a'));
    scheduler.runDeferred();
    const draining = batcher.drain();
    calls[0]!.result.reject(new Error('boom'));
    await assert.rejects(a!, /boom/);
    await draining;
  });

  it('goes back to waiting for the delay afterwards', async () => {
    const { scheduler, batcher, submit, ids, complete } = setup({ maxBatchSize: 8, maxQueueDelayMs: 100 });
    submit(item('a'));
    const draining = batcher.drain();
    await complete(0);
    await draining;
    submit(item('b'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a']]);
    scheduler.advance(100);
    assert.deepEqual(ids(), [['a'], ['b']]);
  });
});

describe('MicroBatcher with maxConcurrentBatches > 1', () => {
  it('runs up to that many batches at once and refills a freed slot', async () => {
    const { scheduler, batcher, submit, ids, calls, outcomes } = setup({ maxBatchSize: 2, maxQueueDelayMs: 0 }, { maxConcurrentBatches: 2 });
    submit(item('a'), item('b'), item('c'), item('d'), item('e'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a', 'b'], ['c', 'd']]);
    assert.equal(batcher.inFlightCount, 2);
    assert.equal(batcher.pendingCount, 1);
    // The second batch finishes first: its slot takes e; the first is still running.
    calls[1]!.result.resolve(['C', 'D']);
    await settle();
    assert.deepEqual(ids()[2], ['e']);
    assert.equal(batcher.inFlightCount, 2);
    assert.deepEqual(outcomes.get('d'), { value: 'D' });
    assert.equal(outcomes.has('a'), false);
    calls[0]!.result.resolve(['A', 'B']);
    calls[2]!.result.resolve(['E']);
    await settle();
    assert.deepEqual(['a', 'b', 'e'].map((id) => outcomes.get(id)?.value), ['A', 'B', 'E']);
    assert.equal(batcher.inFlightCount, 0);
  });

  it('with delay 0, a free runner takes a partial batch while the other computes', () => {
    const { scheduler, submit, ids } = setup({ maxBatchSize: 8, maxQueueDelayMs: 0 }, { maxConcurrentBatches: 3 });
    submit(item('a'));
    scheduler.runDeferred();
    submit(item('b'));
    scheduler.runDeferred();
    assert.deepEqual(ids(), [['a'], ['b']]);
  });
});
