import { ErrorKinds, errorKind } from './error-kinds.js';
import { summarise, type LoadResult } from './stats.js';

/** One request of a load run: resolves when its result is in hand (rejects on error). */
export type Send = () => Promise<void>;

/**
 * Closed loop: `clients` concurrent clients, each sending its next request as soon as the
 * previous one finished, for `durationMs` after a `warmupMs` whose requests are not counted.
 */
export async function closedLoop(send: Send, clients: number, durationMs: number, warmupMs = 500, rowsPerRequest = 1): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const kinds = new ErrorKinds();
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  const client = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await send();
        const t1 = performance.now();
        if (t0 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
      } catch (error) {
        if (t0 >= measureFrom) {
          errors++;
          kinds.add(errorKind(error));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return summarise(latencies, errors, durationMs / 1000, rowsPerRequest, kinds.toObject());
}

/** How long an open loop waits for the answers still due after its last request. */
const OPEN_LOOP_DRAIN_MS = 60_000;

/**
 * Open loop: requests start at a fixed `ratePerS` whatever happens to earlier ones (arrivals do
 * not wait for answers, as real traffic does not); at most `maxInFlight` outstanding, beyond which
 * arrivals are counted as errors (the system is past saturation). The result's `errorKinds` says
 * what the errors were: "not sent: … in flight", "unanswered 60 s after the last request", or the
 * failure of the request itself (an HTTP status and code, a push error, ECONNRESET…).
 */

export async function openLoop(send: Send, ratePerS: number, durationMs: number, maxInFlight = 2_000, rowsPerRequest = 1): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const kinds = new ErrorKinds();
  let inFlight = 0;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  const total = Math.floor((ratePerS * durationMs) / 1000);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= maxInFlight) {
      errors++;
      kinds.add(`not sent: ${maxInFlight} already in flight`);
      continue;
    }
    inFlight++;
    const t0 = performance.now();
    pending.push(send().then(
      () => { latencies.push(performance.now() - t0); },
      (error: unknown) => {
        errors++;
        kinds.add(errorKind(error));
      },
    ).finally(() => { inFlight--; }));
  }
  // Bounded: a request whose answer never comes is reported, not waited for forever.
  let drainTimer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    Promise.all(pending).then(() => true),
    new Promise<false>((resolve) => { drainTimer = setTimeout(() => resolve(false), OPEN_LOOP_DRAIN_MS); }),
  ]);
  clearTimeout(drainTimer);
  if (!drained) {
    console.warn(`open loop: ${inFlight} request(s) still unanswered ${OPEN_LOOP_DRAIN_MS / 1000} s after the last was sent; counted as errors`);
    errors += inFlight;
    kinds.add(`unanswered ${OPEN_LOOP_DRAIN_MS / 1000} s after the last request`, inFlight);
  }
  const durationS = (performance.now() - start) / 1000;
  return summarise(latencies, errors, Math.max(durationS, durationMs / 1000), rowsPerRequest, kinds.toObject());
}
