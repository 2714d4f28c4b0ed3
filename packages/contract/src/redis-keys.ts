/**
 * Every Redis key, channel and queue name the system uses, in one place.
 *
 * | key / channel                          | type    | written by      | content                                  |
 * |----------------------------------------|---------|-----------------|------------------------------------------|
 * | `{prefix}:prediction:{id}`             | hash    | API, worker     | status, model, version, createdAt, result, error, timings, worker (JSON fields); TTL = retention |
 * | `{prefix}:events:prediction-final`     | pub/sub | worker          | JSON `PredictionRecord` when a prediction completes or fails |
 * | `{prefix}:device-lease:{device}`       | zset    | worker          | member = worker id, score = lease expiry (epoch ms) |
 * | `{prefix}:worker:{id}`                 | string  | worker          | JSON heartbeat; TTL = 3 heartbeats       |
 * | BullMQ queue `predict-{model}`         | BullMQ  | API → worker    | jobs `predict` with `PredictionJobData`; BullMQ keys under `{prefix}:predict-{model}:*` |
 *
 * `prefix` defaults to `inferq`, so several deployments (or test runs) can share one Redis.
 */

/** Default key prefix. */
export const DEFAULT_KEY_PREFIX = 'inferq';

/** Model names (and so queue names) are restricted to this pattern. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Key builders bound to one prefix. */
export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX) {
  return Object.freeze({
    prefix,
    prediction: (id: string) => `${prefix}:prediction:${id}`,
    predictionFinalChannel: `${prefix}:events:prediction-final`,
    deviceLease: (device: string) => `${prefix}:device-lease:${device}`,
    workerHeartbeat: (workerId: string) => `${prefix}:worker:${workerId}`,
    workerHeartbeatPattern: `${prefix}:worker:*`,
  });
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/** BullMQ queue name of a model's predictions (BullMQ forbids ':' in names). */
export function predictionQueueName(model: string): string {
  return `predict-${model}`;
}
