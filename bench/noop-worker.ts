/** The queue ceiling's consumer: a BullMQ worker whose processor does nothing. */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const worker = new Worker(process.env.QUEUE_NAME!, async () => 1, {
  connection, prefix: process.env.KEY_PREFIX!, concurrency: Number(process.env.CONCURRENCY ?? 64),
  removeOnComplete: { count: 0 },
});
worker.on('error', (error) => console.error('noop worker: queue error', error));
process.once('SIGTERM', () => void worker.close().then(() => connection.quit()).then(() => process.exit(0)));
console.log('noop worker ready');
