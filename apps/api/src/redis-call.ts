import type { Redis } from 'ioredis';
import { InferqError } from '@inferq/contract';
import { isOutOfMemoryError } from '@inferq/redis';

/**
 * Runs a Redis operation for a request: while Redis is away, or when it does not answer within
 * `timeoutMs`, the request gets QUEUE_UNAVAILABLE (503 + Retry-After) instead of hanging. Used for
 * queueing, reads, API-key checks and rate limits alike (a key that cannot be checked is not accepted).
 * Redis refusing a write because it is out of memory is QUEUE_OUT_OF_MEMORY (503 + Retry-After).
 */
export async function redisCall<T>(redis: Redis, timeoutMs: number, operation: () => Promise<T>): Promise<T> {
  if (redis.status !== 'ready') throw new InferqError('QUEUE_UNAVAILABLE', 'Redis is unreachable; retry shortly');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([operation(), timeout]);
  } catch (error) {
    if (error instanceof InferqError) throw error;
    if (isOutOfMemoryError(error)) {
      throw new InferqError('QUEUE_OUT_OF_MEMORY', 'Redis is out of memory and refuses new work; retry later', { cause: error });
    }
    throw new InferqError('QUEUE_UNAVAILABLE', `Redis did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
