/** The limits part of the API configuration: timeouts, connection cap, WebSocket buffer, allow-lists. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@inferq/env';
import { loadApiConfig } from './config.js';
import { serverTimeoutOptions } from './server-timeouts.js';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('API limits configuration', () => {
  it('has strict defaults', () => {
    const config = loadApiConfig(base);
    assert.deepEqual(
      [config.requestTimeoutMs, config.headersTimeoutMs, config.keepAliveTimeoutMs, config.maxConnectionsPerClient, config.wsMaxBufferedBytes],
      [30_000, 10_000, 10_000, 1_024, 8 * 1024 * 1024],
    );
    assert.deepEqual([config.allowedHosts, config.allowedOrigins], [[], []]);
    const options = serverTimeoutOptions(config);
    assert.deepEqual([options.requestTimeout, options.keepAliveTimeout, options.http.headersTimeout, options.http.connectionsCheckingInterval], [30_000, 10_000, 10_000, 1_000]);
  });

  it('reads the variables, lower-cases host names, and derives the headers timeout from a short request timeout', () => {
    const config = loadApiConfig({ ...base, REQUEST_TIMEOUT_MS: '2000', KEEP_ALIVE_TIMEOUT_MS: '500', MAX_CONNECTIONS_PER_CLIENT: '0', WS_MAX_BUFFERED_BYTES: '65536', ALLOWED_HOSTS: 'Inferq-API,.svc.cluster.local', ALLOWED_ORIGINS: 'https://app.example.com' });
    assert.equal(config.headersTimeoutMs, 2_000);
    assert.deepEqual(config.allowedHosts, ['inferq-api', '.svc.cluster.local']);
    assert.deepEqual(config.allowedOrigins, ['https://app.example.com']);
    assert.equal(serverTimeoutOptions(config).http.connectionsCheckingInterval, 500);
  });

  it('refuses bad values with the variable named', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ REQUEST_TIMEOUT_MS: '0' }, /REQUEST_TIMEOUT_MS/],
      [{ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' }, /HEADERS_TIMEOUT_MS \(6000\) must not exceed REQUEST_TIMEOUT_MS/],
      [{ KEEP_ALIVE_TIMEOUT_MS: 'soon' }, /KEEP_ALIVE_TIMEOUT_MS/],
      [{ MAX_CONNECTIONS_PER_CLIENT: '-1' }, /MAX_CONNECTIONS_PER_CLIENT/],
      [{ WS_MAX_BUFFERED_BYTES: '1000' }, /WS_MAX_BUFFERED_BYTES/],
      [{ ALLOWED_HOSTS: 'api:3000' }, /ALLOWED_HOSTS: "api:3000" is not a host name/],
      [{ ALLOWED_HOSTS: 'http://api' }, /ALLOWED_HOSTS/],
      [{ ALLOWED_ORIGINS: 'https://app.example.com/' }, /ALLOWED_ORIGINS: "https:\/\/app.example.com\/" is not an origin/],
    ];
    for (const [env, message] of cases) assert.throws(() => loadApiConfig({ ...base, ...env }), (error) => error instanceof ConfigError && message.test(error.message), JSON.stringify(env));
  });
});
