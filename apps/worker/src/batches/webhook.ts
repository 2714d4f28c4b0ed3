import type { Logger } from '@inferq/logger';

/** Tries of a webhook POST, and the wait before the first retry (doubling). */
const WEBHOOK_ATTEMPTS = 4;
const FIRST_RETRY_MS = 500;
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs a batch's final record to its webhook: 2xx is delivered; anything else is tried again
 * (at most WEBHOOK_ATTEMPTS, 0.5 s doubling), then logged and given up, never failing the batch.
 */
export async function postWebhook(url: string, body: unknown, logger: Logger, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<boolean> {
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), redirect: 'error',
      });
      await response.body?.cancel();
      if (response.ok) return true;
      logger.warn({ url, status: response.status, attempt }, 'batch webhook refused');
    } catch (error) {
      logger.warn({ url, err: error, attempt }, 'batch webhook failed');
    }
    if (attempt < WEBHOOK_ATTEMPTS) await sleep(delay);
    delay *= 2;
  }
  return false;
}
