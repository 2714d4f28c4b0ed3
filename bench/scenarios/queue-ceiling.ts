/**
 * Scenario "queue ceiling": BullMQ with one job per request and a no-op processor, on the same
 * Redis: producer adds a job and waits for its completion event, K clients in a closed loop.
 * No inference, no HTTP: what any design that spends one BullMQ job per prediction can reach.
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { closedLoop } from '../lib/load.js';
import { startChild, waitFor } from '../lib/processes.js';
import type { LoadResult } from '../lib/stats.js';

export async function measureQueueCeiling(redisUrl: string, clients: number, durationMs: number): Promise<LoadResult> {
  const prefix = `ceiling${Date.now()}`;
  const name = 'noop';
  const worker = startChild('bench/noop-worker.ts', { REDIS_URL: redisUrl, QUEUE_NAME: name, KEY_PREFIX: prefix, CONCURRENCY: '128' });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection: { url: redisUrl } as never, prefix });
  // Queue errors are printed, never dropped (nor left to crash the run without a word).
  queue.on('error', (error) => console.error('queue ceiling: queue error', error));
  events.on('error', (error) => console.error('queue ceiling: queue events error', error));
  const waiters = new Map<string, () => void>();
  events.on('completed', ({ jobId }) => {
    waiters.get(jobId)?.();
    waiters.delete(jobId);
  });
  try {
    await events.waitUntilReady();
    await waitFor(async () => worker.output().includes('noop worker ready'), 30_000, 'the no-op worker');
    let n = 0;
    return await closedLoop(async () => {
      const jobId = `j${n++}`;
      const done = new Promise<void>((resolve) => waiters.set(jobId, resolve));
      await queue.add('noop', { x: 1 }, { jobId, removeOnComplete: true });
      await done;
    }, clients, durationMs);
  } finally {
    await worker.stop();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    connection.disconnect();
  }
}
