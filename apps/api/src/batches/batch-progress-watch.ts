/**
 * Pushes a batch's progress to a WebSocket subscriber: read every 500 ms (the push interval the
 * API promises), sent only when it changed, stopped once the batch is final or the socket closes.
 * Polling, not pub/sub: one HGETALL per watched batch per interval is bounded by the per-socket cap.
 */
import type { WsBatchProgressMessage } from '@inferq/contract';
import { FINAL_BATCH_STATUSES, type BatchStore } from '@inferq/batch-jobs';

/** Interval between reads, and so the shortest time between two pushes. */
export const BATCH_PROGRESS_INTERVAL_MS = 500;
/** Batches one socket may watch at once. */
export const MAX_BATCH_WATCHES_PER_SOCKET = 100;

/**
 * Starts watching `id`; returns the function that stops it. `onError` gets BATCH_NOT_FOUND (or a
 * Redis error) once, and the watch ends.
 */
export function watchBatchProgress(
  store: BatchStore, id: string, viewer: string | undefined,
  send: (message: WsBatchProgressMessage) => void, onError: (error: unknown) => void, onEnd: () => void,
): () => void {
  let last = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const r = await store.get(id, viewer);
      if (stopped) return;
      const message: WsBatchProgressMessage = { type: 'batch-progress', id, status: r.status, total: r.total, done: r.done, failed: r.failed, rowsPerSecond: r.rowsPerSecond, etaSeconds: r.etaSeconds };
      const key = `${r.status}/${r.done}/${r.failed}`;
      if (key !== last) {
        last = key;
        send(message);
      }
      if (FINAL_BATCH_STATUSES.includes(r.status)) return stop();
      timer = setTimeout(() => void tick(), BATCH_PROGRESS_INTERVAL_MS);
    } catch (error) {
      if (stopped) return;
      onError(error);
      stop();
    }
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    onEnd();
  };
  void tick();
  return stop;
}
