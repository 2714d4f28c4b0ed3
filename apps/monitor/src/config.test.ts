import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@inferq/env';
import { loadMonitorConfig } from './config.js';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadMonitorConfig', () => {
  it('has the documented defaults', () => {
    const config = loadMonitorConfig(base);
    assert.deepEqual(
      [config.windowSize, config.windowMs, config.driftShareThreshold, config.driftPersistence, config.accuracyThreshold, config.alertCooldownMs, config.alertWebhookUrl, config.maxWindowsPerSecond],
      [50, 0, 0.5, 2, 0.8, 900_000, undefined, 5],
    );
  });

  it('refuses bad values, naming the variable', () => {
    for (const [name, value] of [['WINDOW_SIZE', '-1'], ['DRIFT_SHARE_THRESHOLD', '1.5'], ['ALERT_WEBHOOK_URL', 'ftp://x'], ['ALERT_WEBHOOK_URL', 'not a url'], ['DRIFT_PERSISTENCE', '0'], ['MONITOR_MAX_WINDOWS_PER_SECOND', '-1']] as const) {
      assert.throws(() => loadMonitorConfig({ ...base, [name]: value }), (e: unknown) => e instanceof ConfigError && e.message.startsWith(name), `${name}=${value}`);
    }
    assert.throws(() => loadMonitorConfig({}), /REDIS_URL/);
    assert.throws(() => loadMonitorConfig({ ...base, WINDOW_SIZE: '0' }), /WINDOW_MS/);
    assert.equal(loadMonitorConfig({ ...base, WINDOW_SIZE: '0', WINDOW_MS: '60000' }).windowMs, 60_000);
    assert.equal(loadMonitorConfig({ ...base, MONITOR_MAX_WINDOWS_PER_SECOND: '0' }).maxWindowsPerSecond, 0, '0 = sampling off');
  });
});
