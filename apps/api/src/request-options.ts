/**
 * Scheduling options a request may carry, besides its tensors:
 * - `parameters.priority`: `"high"` | `"normal"` | `"low"` or an integer 1–1000 (lower runs first);
 * - `parameters.timeout_ms` and the `Request-Timeout-Ms` header: milliseconds after acceptance
 *   past which the prediction must not start (it ends `expired`, DEADLINE_EXCEEDED).
 */
import { InferqError, previewValue, PRIORITY_CLASSES } from '@inferq/contract';

/** Named classes on the numeric scale (defined in the contract: the worker re-queues with them too). */
export { PRIORITY_CLASSES };
/** Numeric priorities accepted, first to last. */
export const PRIORITY_RANGE = Object.freeze({ min: 1, max: 1000 });
/** Longest timeout accepted: a day, the default result retention. */
export const MAX_TIMEOUT_MS = 86_400_000;

/** What the queue needs from a request's scheduling options. */
export interface RequestOptions {
  /** BullMQ priority. */
  priority: number;
  /** Milliseconds from acceptance to the deadline; undefined = none. */
  timeoutMs?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads `body.parameters.priority`, `body.parameters.timeout_ms` and the `Request-Timeout-Ms`
 * header value. When both timeouts are given the shorter wins; when neither, `defaultTimeoutMs`
 * applies (0 = no deadline). Throws INVALID_REQUEST naming the bad field.
 */
export function readRequestOptions(body: unknown, timeoutHeader: string | string[] | undefined, defaultTimeoutMs: number): RequestOptions {
  const parameters = isRecord(body) && isRecord(body.parameters) ? body.parameters : {};
  const options: RequestOptions = { priority: readPriority(parameters.priority) };
  const timeouts = [readTimeout(parameters.timeout_ms, 'parameters.timeout_ms'), readHeaderTimeout(timeoutHeader)]
    .filter((t): t is number => t !== undefined);
  const timeoutMs = timeouts.length > 0 ? Math.min(...timeouts) : defaultTimeoutMs;
  if (timeoutMs > 0) options.timeoutMs = timeoutMs;
  return options;
}

function readPriority(value: unknown): number {
  if (value === undefined) return PRIORITY_CLASSES.normal;
  if (typeof value === 'string' && Object.hasOwn(PRIORITY_CLASSES, value)) return PRIORITY_CLASSES[value as keyof typeof PRIORITY_CLASSES];
  if (typeof value === 'number' && Number.isInteger(value) && value >= PRIORITY_RANGE.min && value <= PRIORITY_RANGE.max) return value;
  throw new InferqError('INVALID_REQUEST',
    `parameters.priority must be "high", "normal", "low" or an integer in [${PRIORITY_RANGE.min}, ${PRIORITY_RANGE.max}] (lower runs first), not ${previewValue(value)}`);
}

function readTimeout(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_TIMEOUT_MS) return value;
  throw new InferqError('INVALID_REQUEST', `${field} must be an integer number of milliseconds in [1, ${MAX_TIMEOUT_MS}], not ${previewValue(value)}`);
}

function readHeaderTimeout(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value.trim())) {
    throw new InferqError('INVALID_REQUEST', `header Request-Timeout-Ms must be one integer number of milliseconds in [1, ${MAX_TIMEOUT_MS}]`);
  }
  return readTimeout(Number(value.trim()), 'header Request-Timeout-Ms');
}
