import type { Redis } from 'ioredis';
import { InferqError } from '@inferq/contract';

/** `REDIS_WAIT_REPLICAS` / `REDIS_WAIT_TIMEOUT_MS`: how many replicas must hold a write before it is acknowledged. */
export interface ReplicaWaitSettings {
  /** Replicas that must confirm; 0 turns the wait off. @defaultValue 0 */
  replicas: number;
  /** Longest wait for them, in milliseconds. @defaultValue 1000 */
  timeoutMs: number;
}

/**
 * Waits until `settings.replicas` replicas have every write this connection made so far (Redis
 * `WAIT`), so an acknowledged prediction survives the loss of the primary: Redis replication is
 * asynchronous, and a failover promotes a replica that may lack the last writes. `WAIT` counts
 * the writes of the connection it runs on, so it must be the connection that queued the
 * prediction. Throws REPLICATION_TIMEOUT when fewer confirm in time; the write stays on the
 * primary (it may still run), only the acknowledgement is refused.
 */
export async function waitForReplicas(redis: Redis, settings: ReplicaWaitSettings): Promise<void> {
  if (settings.replicas <= 0) return;
  const confirmed = Number(await redis.call('WAIT', settings.replicas, settings.timeoutMs));
  if (confirmed < settings.replicas) {
    throw new InferqError('REPLICATION_TIMEOUT', `${confirmed} of ${settings.replicas} Redis replica(s) confirmed the write within ${settings.timeoutMs} ms`);
  }
}
