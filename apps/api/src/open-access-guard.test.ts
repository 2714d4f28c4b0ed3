/** The pure parts of the guard while access control is off: Host parsing and the allow rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostAllowed, isLoopbackAddress, originAllowed, parseHost } from './open-access-guard.js';

describe('open-access guard rules', () => {
  it('parses Host headers: names, IPv4, bracketed IPv6, ports; refuses malformed ones', () => {
    assert.deepEqual(parseHost('LocalHost.:3000'), { name: 'localhost', port: '3000' });
    assert.deepEqual(parseHost('[::1]:80'), { name: '[::1]', port: '80' });
    assert.deepEqual(parseHost('10.0.0.7'), { name: '10.0.0.7', port: '' });
    for (const bad of ['', 'a b', 'evil.example@127.0.0.1', 'x:99999999', '[::1', 'host/path']) assert.equal(parseHost(bad), undefined, bad);
  });

  it('takes loopback names and IP literals, and configured names only as configured', () => {
    for (const name of ['localhost', 'api.localhost', '127.0.0.1', '[::1]', '192.168.1.20', '[fd00::1]']) assert.ok(hostAllowed(name, []), name);
    for (const name of ['rebind.evil.example', 'localhost.evil.example', 'inferq-api']) assert.ok(!hostAllowed(name, []), name);
    assert.ok(hostAllowed('inferq-api', ['inferq-api']));
    assert.ok(!hostAllowed('inferq-api.evil.example', ['inferq-api']));
    assert.ok(hostAllowed('svc.cluster.local', ['.svc.cluster.local']));
    assert.ok(hostAllowed('api.ns.svc.cluster.local', ['.svc.cluster.local']));
    assert.ok(!hostAllowed('evilsvc.cluster.local', ['.svc.cluster.local']));
    assert.ok(hostAllowed('anything.example', ['*']));
  });

  it('takes the same origin (default ports included) and trusted ones; refuses null and others', () => {
    const host = { name: 'localhost', port: '3000' };
    assert.ok(originAllowed('http://localhost:3000', host, []));
    assert.ok(!originAllowed('http://localhost:3001', host, []));
    assert.ok(originAllowed('https://api.example', { name: 'api.example', port: '443' }, []));
    assert.ok(originAllowed('http://api.example', { name: 'api.example', port: '' }, []));
    assert.ok(!originAllowed('https://evil.example', host, []));
    assert.ok(!originAllowed('null', host, []));
    assert.ok(!originAllowed('https://evil.example', undefined, []));
    assert.ok(originAllowed('https://app.example.com', host, ['https://app.example.com']));
    assert.ok(originAllowed('https://evil.example', host, ['*']));
  });

  it('knows loopback addresses, IPv4-mapped included', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(address), address);
    for (const address of ['10.0.0.1', '::ffff:10.0.0.1', '0.0.0.0', '::', undefined, '']) assert.ok(!isLoopbackAddress(address), String(address));
  });
});
