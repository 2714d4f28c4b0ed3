import type { Redis } from 'ioredis';
import { InferqError } from '@inferq/contract';

/**
 * Runs a Redis operation for access control; connection trouble becomes QUEUE_UNAVAILABLE (503),
 * never a hang and never an open door (a key that cannot be checked is not accepted).
 */
export async function redisCall<T>(redis: Redis, timeoutMs: number, operation: () => Promise<T>): Promise<T> {
  if (redis.status !== 'ready') throw new InferqError('QUEUE_UNAVAILABLE', 'Redis is unreachable, so API keys cannot be checked; retry shortly');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([operation(), timeout]);
  } catch (error) {
    if (error instanceof InferqError) throw error;
    throw new InferqError('QUEUE_UNAVAILABLE', `Redis did not answer: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
