import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrafficPolicy } from '@inferq/contract';
import { routeRequest, routingKeyOf, shadowVersion, stickyBucket } from './traffic-router.js';

const policy = (overrides: Partial<TrafficPolicy> = {}): TrafficPolicy => ({
  revision: 3, routes: [{ version: '1', weight: 90 }, { version: '2', weight: 10 }], sticky: false, rules: [], shadow: null, updatedAt: 0, ...overrides,
});

describe('routeRequest', () => {
  it('leaves the choice to the caller without a policy or without routes', () => {
    assert.equal(routeRequest(undefined, {}), undefined);
    assert.equal(routeRequest(policy({ routes: [] }), {}), undefined);
  });

  it('splits by weight ranges of a uniform draw', () => {
    assert.deepEqual(routeRequest(policy(), {}, () => 0), { version: '1', route: 'weight' });
    assert.deepEqual(routeRequest(policy(), {}, () => 0.8999), { version: '1', route: 'weight' });
    assert.deepEqual(routeRequest(policy(), {}, () => 0.9), { version: '2', route: 'weight' });
    assert.deepEqual(routeRequest(policy(), {}, () => 0.99999), { version: '2', route: 'weight' });
    assert.deepEqual(routeRequest(policy({ routes: [{ version: '1', weight: 0 }, { version: '2', weight: 100 }] }), {}, () => 0), { version: '2', route: 'weight' });
  });

  it('gives a routing key the same version under one revision, from header or parameter', () => {
    const sticky = policy({ sticky: true, routes: [{ version: '1', weight: 50 }, { version: '2', weight: 50 }] });
    const seen = new Map<string, Set<string>>();
    for (let k = 0; k < 200; k++) {
      for (let i = 0; i < 5; i++) {
        const input = i % 2 ? { headers: { 'x-routing-key': `user-${k}` } } : { parameters: { routing_key: `user-${k}` } };
        const decision = routeRequest(sticky, input, Math.random)!;
        assert.equal(decision.route, 'sticky');
        (seen.get(`user-${k}`) ?? seen.set(`user-${k}`, new Set()).get(`user-${k}`)!).add(decision.version);
      }
    }
    for (const versions of seen.values()) assert.equal(versions.size, 1);
    const share = [...seen.values()].filter((v) => v.has('2')).length / seen.size;
    assert.ok(share > 0.35 && share < 0.65, `share of keys on v2: ${share}`);
  });

  it('draws by weight when sticky but no routing key is given', () => {
    assert.equal(routeRequest(policy({ sticky: true }), {}, () => 0.95)!.route, 'weight');
  });

  it('spreads buckets evenly (chi-squared over 100 buckets)', () => {
    const counts = new Array<number>(100).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[stickyBucket(`k${i}`, 7)]!++;
    const expected = n / 100;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 99 degrees of freedom: the 99.9 % quantile is 148.2.
    assert.ok(chi2 < 148.2, `chi-squared ${chi2}`);
  });

  it('checks rules first, header and parameter, equals and in-list, all conditions together', () => {
    const ruled = policy({
      rules: [
        { when: { header: { 'x-region': 'kr' } }, version: '2' },
        { when: { parameter: { tier: ['beta', 'staff'] } }, version: '3' },
        { when: { header: { 'x-app': ['a', 'b'] }, parameter: { n: 1 } }, version: '4' },
      ],
    });
    assert.deepEqual(routeRequest(ruled, { headers: { 'x-region': 'kr' } }, () => 0), { version: '2', route: 'rule' });
    assert.deepEqual(routeRequest(ruled, { headers: { 'x-region': 'us' } }, () => 0), { version: '1', route: 'weight' });
    assert.deepEqual(routeRequest(ruled, { parameters: { tier: 'staff' } }, () => 0), { version: '3', route: 'rule' });
    assert.deepEqual(routeRequest(ruled, { parameters: { tier: 'gold' } }, () => 0), { version: '1', route: 'weight' });
    assert.deepEqual(routeRequest(ruled, { headers: { 'x-app': 'b' }, parameters: { n: 1 } }, () => 0), { version: '4', route: 'rule' });
    assert.equal(routeRequest(ruled, { headers: { 'x-app': 'b' }, parameters: { n: '1' } }, () => 0)!.route, 'weight');
    assert.equal(routeRequest(ruled, { headers: { 'x-app': 'b' } }, () => 0)!.route, 'weight');
    // A rule serves even when the policy has no routes.
    assert.deepEqual(routeRequest({ ...ruled, routes: [] }, { headers: { 'x-region': 'kr' } }), { version: '2', route: 'rule' });
  });

  it('compares a header with a numeric rule value as text', () => {
    const ruled = policy({ rules: [{ when: { header: { 'x-n': 5 } }, version: '2' }] });
    assert.equal(routeRequest(ruled, { headers: { 'x-n': '5' } })!.route, 'rule');
  });
});

describe('shadowVersion', () => {
  it('mirrors its percent, never to the version that served', () => {
    const shadowed = policy({ shadow: { version: '3', percent: 25 } });
    assert.equal(shadowVersion(shadowed, '1', () => 0.2), '3');
    assert.equal(shadowVersion(shadowed, '1', () => 0.25), undefined);
    assert.equal(shadowVersion(shadowed, '3', () => 0), undefined);
    assert.equal(shadowVersion(policy({ shadow: { version: '3', percent: 100 } }), '1', () => 0.999999), '3');
    assert.equal(shadowVersion(policy({ shadow: { version: '3', percent: 0 } }), '1', () => 0), undefined);
    assert.equal(shadowVersion(policy(), '1'), undefined);
  });
});

describe('routingKeyOf', () => {
  it('prefers the explicit key, then the header, then the parameter', () => {
    assert.equal(routingKeyOf({ routingKey: 'a', headers: { 'x-routing-key': 'b' } }), 'a');
    assert.equal(routingKeyOf({ headers: { 'x-routing-key': 'b' }, parameters: { routing_key: 'c' } }), 'b');
    assert.equal(routingKeyOf({ parameters: { routing_key: 'c' } }), 'c');
    assert.equal(routingKeyOf({ parameters: { routing_key: 42 } }), '42');
    assert.equal(routingKeyOf({ parameters: { routing_key: {} } }), undefined);
    assert.equal(routingKeyOf({}), undefined);
  });
});
