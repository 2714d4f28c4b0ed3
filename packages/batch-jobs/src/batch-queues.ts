import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { batchQueueName, batchScheduleQueueName, type BatchRunJobData } from './batch-types.js';
import type { ScheduleSpec } from './batch-schedules.js';

/** The BullMQ queues of batches, opened on first use per model, closed together. */
export class BatchQueues {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #runs = new Map<string, Queue<BatchRunJobData>>();
  readonly #schedules = new Map<string, Queue<ScheduleSpec>>();

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** The queue of a model's batch runs. */
  runs(model: string): Queue<BatchRunJobData> {
    let queue = this.#runs.get(model);
    if (!queue) this.#runs.set(model, (queue = new Queue<BatchRunJobData>(batchQueueName(model), { connection: this.#redis, prefix: this.#prefix })));
    return queue;
  }

  /** The queue holding a model's schedules. */
  schedules(model: string): Queue<ScheduleSpec> {
    let queue = this.#schedules.get(model);
    if (!queue) this.#schedules.set(model, (queue = new Queue<ScheduleSpec>(batchScheduleQueueName(model), { connection: this.#redis, prefix: this.#prefix })));
    return queue;
  }

  /** Closes every queue opened. Idempotent. */
  async close(): Promise<void> {
    const queues = [...this.#runs.values(), ...this.#schedules.values()];
    this.#runs.clear();
    this.#schedules.clear();
    await Promise.allSettled(queues.map((q) => q.close()));
  }
}
