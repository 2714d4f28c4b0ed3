import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertEvent } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import type { MonitoringStore } from '@inferq/predictions';
import { AlertManager } from './alert-manager.js';

/** The two store calls the manager makes, in memory, with a clock. */
function fakeStore() {
  const history: AlertEvent[] = [];
  const until = new Map<string, number>();
  let now = 0;
  const store = {
    async claimAlert(model: string, version: string, rule: string, cooldownMs: number) {
      const key = `${model}/${version}/${rule}`;
      if ((until.get(key) ?? -1) > now) return false;
      until.set(key, now + cooldownMs);
      return true;
    },
    async addAlert(alert: AlertEvent) { history.push(alert); },
  };
  return { store: store as unknown as MonitoringStore, history, advance: (ms: number) => { now += ms; } };
}

const alert = (rule: string, version = '1'): AlertEvent => ({ model: 'iris', version, rule, value: 1, threshold: 0.5, window: 3, at: 42, message: 'm' });
const logger = createLogger('test', 'silent');

describe('AlertManager', () => {
  it('dedupes per model + version + rule within the cooldown, then raises again', async () => {
    const { store, history, advance } = fakeStore();
    const manager = new AlertManager(store, { cooldownMs: 1_000 }, logger);
    assert.equal(await manager.raise(alert('a')), true);
    assert.equal(await manager.raise(alert('a')), false);
    assert.equal(await manager.raise(alert('b')), true);
    assert.equal(await manager.raise(alert('a', '2')), true);
    advance(1_001);
    assert.equal(await manager.raise(alert('a')), true);
    assert.deepEqual(history.map((a) => `${a.version}:${a.rule}`), ['1:a', '1:b', '2:a', '1:a']);
    assert.deepEqual({ raised: manager.counters.raised, suppressed: manager.counters.suppressed }, { raised: 4, suppressed: 1 });
  });

  it('POSTs the JSON payload to the webhook and retries until it is accepted', async () => {
    const { store } = fakeStore();
    const calls: Array<{ url: string; body: unknown }> = [];
    let failures = 1;
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: JSON.parse(String(init.body)) });
      if (failures-- > 0) throw new Error('connection refused');
      return new Response(null, { status: 204 });
    }) as unknown as typeof globalThis.fetch;
    const manager = new AlertManager(store, { cooldownMs: 0, webhookUrl: 'http://hooks.example/alerts', fetch }, logger);
    await manager.raise(alert('dataset_drift'));
    await manager.flush();
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1], { url: 'http://hooks.example/alerts', body: { model: 'iris', version: '1', rule: 'dataset_drift', value: 1, threshold: 0.5, window: 3, at: 42, message: 'm' } });
    assert.deepEqual({ delivered: manager.counters.delivered, failed: manager.counters.failedDeliveries }, { delivered: 1, failed: 0 });
  });

  it('gives up after its attempts without throwing', async () => {
    const { store } = fakeStore();
    let calls = 0;
    const fetch = (async () => { calls++; return new Response('no', { status: 500 }); }) as unknown as typeof globalThis.fetch;
    const manager = new AlertManager(store, { cooldownMs: 0, webhookUrl: 'http://hooks.example/alerts', webhookAttempts: 2, fetch }, logger);
    assert.equal(await manager.raise(alert('x')), true);
    await manager.flush();
    assert.equal(calls, 2);
    assert.equal(manager.counters.failedDeliveries, 1);
  });
});
