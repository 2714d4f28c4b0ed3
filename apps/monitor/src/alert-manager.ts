import type { AlertEvent } from '@inferq/contract';
import type { MonitoringStore } from '@inferq/predictions';
import type { Logger } from '@inferq/logger';

/** Settings of the alert manager. */
export interface AlertManagerOptions {
  /** POST target of every raised alert; none: history only. */
  webhookUrl?: string;
  /** An alert (model + version + rule) is raised at most once per this time. */
  cooldownMs: number;
  /** Per delivery attempt. @defaultValue 5000 */
  webhookTimeoutMs?: number;
  /** Attempts per alert (backoff 1 s, 2 s, …). @defaultValue 3 */
  webhookAttempts?: number;
  /** Deliveries in flight at once; beyond it an alert stays in the history only. @defaultValue 100 */
  maxPendingDeliveries?: number;
  /** Injected for tests. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

/** The webhook body: the alert's identity and figures. */
export function webhookPayload(alert: AlertEvent): Pick<AlertEvent, 'model' | 'version' | 'rule' | 'value' | 'threshold' | 'window' | 'at' | 'message'> {
  const { model, version, rule, value, threshold, window, at, message } = alert;
  return { model, version, rule, value, threshold, window, at, message };
}

/**
 * Raises alerts: dedupe and cooldown per model + version + rule through a Redis key set with NX
 * and a TTL (so several monitors raise each alert once), then the history (a capped stream), then
 * the webhook, delivered in the background with retries. Raising never throws for a failed
 * delivery.
 */
export class AlertManager {
  readonly #store: MonitoringStore;
  readonly #options: Required<Omit<AlertManagerOptions, 'webhookUrl'>> & { webhookUrl?: string };
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();
  /** Raised, suppressed by cooldown, delivered and failed deliveries (tests, logs). */
  readonly counters = { raised: 0, suppressed: 0, delivered: 0, failedDeliveries: 0 };

  constructor(store: MonitoringStore, options: AlertManagerOptions, logger: Logger) {
    this.#store = store;
    this.#options = {
      cooldownMs: options.cooldownMs,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 5_000,
      webhookAttempts: options.webhookAttempts ?? 3,
      maxPendingDeliveries: options.maxPendingDeliveries ?? 100,
      fetch: options.fetch ?? globalThis.fetch,
      ...(options.webhookUrl !== undefined ? { webhookUrl: options.webhookUrl } : {}),
    };
    this.#logger = logger;
  }

  /** Raises an alert unless the same one is cooling down; true when it was raised. */
  async raise(alert: AlertEvent): Promise<boolean> {
    if (!(await this.#store.claimAlert(alert.model, alert.version, alert.rule, this.#options.cooldownMs))) {
      this.counters.suppressed++;
      return false;
    }
    await this.#store.addAlert(alert);
    this.announce([alert]);
    return true;
  }

  /** The cooldown per model + version + rule (ms), for callers that claim alerts themselves (MonitoringStore.storeWindow). */
  get cooldownMs(): number {
    return this.#options.cooldownMs;
  }

  /** Settles alerts a caller claimed and stored itself: counts the suppressed ones and announces the raised ones. */
  settle(alerts: readonly AlertEvent[], raised: readonly boolean[]): void {
    const announced = alerts.filter((_, i) => raised[i] === true);
    this.counters.suppressed += alerts.length - announced.length;
    this.announce(announced);
  }

  /** Counts, logs and (in the background) delivers alerts that were claimed and stored. */
  announce(alerts: readonly AlertEvent[]): void {
    for (const alert of alerts) {
      this.counters.raised++;
      this.#logger.warn({ alert }, 'alert raised');
      const url = this.#options.webhookUrl;
      if (url === undefined) continue;
      if (this.#pending.size >= this.#options.maxPendingDeliveries) {
        this.counters.failedDeliveries++;
        this.#logger.error({ rule: alert.rule }, 'too many webhook deliveries in flight; this alert is in the history only');
      } else {
        const delivery = this.#deliver(url, alert).finally(() => this.#pending.delete(delivery));
        this.#pending.add(delivery);
      }
    }
  }

  /** Waits for deliveries in flight (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #deliver(url: string, alert: AlertEvent): Promise<void> {
    const body = JSON.stringify(webhookPayload(alert));
    for (let attempt = 1; attempt <= this.#options.webhookAttempts; attempt++) {
      try {
        const response = await this.#options.fetch(url, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.#options.webhookTimeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.counters.delivered++;
          return;
        }
        this.#logger.warn({ rule: alert.rule, status: response.status, attempt }, 'alert webhook answered an error');
      } catch (error) {
        this.#logger.warn({ rule: alert.rule, err: error, attempt }, 'alert webhook unreachable');
      }
      if (attempt < this.#options.webhookAttempts) await new Promise((r) => setTimeout(r, 1_000 * 2 ** (attempt - 1)));
    }
    this.counters.failedDeliveries++;
  }
}
