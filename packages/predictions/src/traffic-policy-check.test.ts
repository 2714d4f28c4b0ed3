import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InferqError } from '@inferq/contract';
import { checkTrafficPolicy, type VersionFacts } from './traffic-policy-check.js';
import { routeRequest } from './traffic-router.js';

const facts: VersionFacts = { versions: ['1', '2', '3'], isRoutable: (v) => v !== '3' };
const refused = (body: unknown, code: string, field: RegExp) => {
  assert.throws(() => checkTrafficPolicy('iris', body, facts), (e) => {
    assert.ok(e instanceof InferqError);
    assert.equal(e.code, code);
    assert.match(e.message, field);
    return true;
  });
};

describe('checkTrafficPolicy', () => {
  it('normalises the issue-13 example to version strings and lower-case headers', () => {
    const spec = checkTrafficPolicy('iris', {
      routes: [{ version: 1, weight: 90 }, { version: 2, weight: 10 }],
      sticky: true,
      rules: [{ when: { header: { 'X-Region': 'kr' } }, version: 2 }, { when: { parameter: { tier: ['beta', 'staff'] } }, version: '2' }],
      shadow: { version: 3, percent: 0 },
      reason: 'canary',
    }, facts);
    assert.deepEqual(spec, {
      routes: [{ version: '1', weight: 90 }, { version: '2', weight: 10 }],
      sticky: true,
      rules: [{ when: { header: { 'x-region': 'kr' } }, version: '2' }, { when: { parameter: { tier: ['beta', 'staff'] } }, version: '2' }],
      shadow: { version: '3', percent: 0 },
      reason: 'canary',
    });
    assert.deepEqual(checkTrafficPolicy('iris', { routes: [] }, facts), { routes: [], sticky: false, rules: [], shadow: null });
  });

  it('refuses malformed bodies naming the field', () => {
    refused(null, 'INVALID_TRAFFIC_POLICY', /JSON object/);
    refused({}, 'INVALID_TRAFFIC_POLICY', /routes/);
    refused({ routes: [{ version: 1, weight: 50.5 }, { version: 2, weight: 49.5 }] }, 'INVALID_TRAFFIC_POLICY', /weight/);
    refused({ routes: [{ version: -1, weight: 100 }] }, 'INVALID_TRAFFIC_POLICY', /version/);
    refused({ routes: [{ version: 1, weight: 100 }], extra: 1 }, 'INVALID_TRAFFIC_POLICY', /unknown field "extra"/);
    refused({ routes: [], rules: [{ when: {}, version: 1 }] }, 'INVALID_TRAFFIC_POLICY', /rules\[0\]\.when/);
    refused({ routes: [], rules: [{ when: { cookie: { a: 1 } }, version: 1 }] }, 'INVALID_TRAFFIC_POLICY', /rules\[0\]\.when/);
    refused({ routes: [], rules: [{ when: { header: { a: {} } }, version: 1 }] }, 'INVALID_TRAFFIC_POLICY', /rules\[0\]\.when/);
    refused({ routes: [], rules: [{ when: { header: { 'bad name': 'x' } }, version: 1 }] }, 'INVALID_TRAFFIC_POLICY', /header name/);
    refused({ routes: [], shadow: { version: 2, percent: 101 } }, 'INVALID_TRAFFIC_POLICY', /shadow/);
  });

  it('refuses weights not summing to 100 and repeated versions', () => {
    refused({ routes: [{ version: 1, weight: 90 }, { version: 2, weight: 20 }] }, 'INVALID_TRAFFIC_POLICY', /sum to 100, got 110/);
    refused({ routes: [{ version: 1, weight: 50 }, { version: 1, weight: 50 }] }, 'INVALID_TRAFFIC_POLICY', /listed twice/);
  });

  it('refuses unknown versions anywhere, and traffic to a version not ready', () => {
    refused({ routes: [{ version: 9, weight: 100 }] }, 'INVALID_TRAFFIC_POLICY', /routes\[0\]\.version.*no version "9"/);
    refused({ routes: [], rules: [{ when: { header: { a: 'b' } }, version: 9 }] }, 'INVALID_TRAFFIC_POLICY', /rules\[0\]\.version/);
    refused({ routes: [], shadow: { version: 9, percent: 5 } }, 'INVALID_TRAFFIC_POLICY', /shadow\.version/);
    refused({ routes: [{ version: 1, weight: 90 }, { version: 3, weight: 10 }] }, 'VERSION_NOT_READY', /routes\[1\]\.version/);
    refused({ routes: [{ version: 1, weight: 100 }], shadow: { version: 3, percent: 10 } }, 'VERSION_NOT_READY', /shadow\.version/);
    // A zero weight carries no traffic: allowed on a version not ready yet.
    assert.equal(checkTrafficPolicy('iris', { routes: [{ version: 1, weight: 100 }, { version: 3, weight: 0 }] }, facts).routes.length, 2);
  });

  it('refuses a shadow equal to the only version serving', () => {
    refused({ routes: [{ version: 1, weight: 100 }], shadow: { version: 1, percent: 100 } }, 'INVALID_TRAFFIC_POLICY', /shadow\.version/);
    assert.ok(checkTrafficPolicy('iris', { routes: [{ version: 1, weight: 90 }, { version: 2, weight: 10 }], shadow: { version: 2, percent: 100 } }, facts).shadow);
  });
});

describe('checkTrafficPolicy on arbitrary bodies (fast-check)', () => {
  const version = fc.oneof(fc.constantFrom(1, 2, 3, 9, '1', '2', 'x', -1, 1.5), fc.anything());
  const conditions = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), fc.anything()), { maxKeys: 3 });
  const body = fc.oneof(
    fc.anything(),
    fc.record({
      routes: fc.array(fc.record({ version, weight: fc.oneof(fc.integer({ min: -10, max: 110 }), fc.anything()) }), { maxLength: 4 }),
      sticky: fc.option(fc.boolean(), { nil: undefined }),
      rules: fc.option(fc.array(fc.record({ when: fc.record({ header: fc.option(conditions, { nil: undefined }), parameter: fc.option(conditions, { nil: undefined }) }), version }), { maxLength: 3 }), { nil: undefined }),
      shadow: fc.option(fc.oneof(fc.constant(null), fc.record({ version, percent: fc.double({ min: -5, max: 105, noNaN: true }) })), { nil: undefined }),
    }, { requiredKeys: [] }),
  );

  it('either accepts a policy that routes only to known, ready versions with weights summing to 100, or refuses it with a 4xx code', () => {
    fc.assert(fc.property(body, fc.string({ maxLength: 6 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (candidate, key, draw) => {
      let spec;
      try {
        spec = checkTrafficPolicy('iris', candidate, facts);
      } catch (error) {
        assert.ok(error instanceof InferqError, String(error));
        assert.ok(error.statusCode >= 400 && error.statusCode < 500);
        return;
      }
      if (spec.routes.length > 0) assert.equal(spec.routes.reduce((sum, r) => sum + r.weight, 0), 100);
      const serving = new Set([...spec.routes.filter((r) => r.weight > 0).map((r) => r.version), ...spec.rules.map((r) => r.version)]);
      for (const v of serving) assert.ok(facts.versions.includes(v) && facts.isRoutable(v), v);
      const decision = routeRequest({ revision: 1, updatedAt: 0, ...spec }, { headers: { 'x-routing-key': key }, parameters: { tier: key } }, () => draw);
      if (decision) assert.ok(serving.has(decision.version), `${decision.version} not among ${[...serving]}`);
    }), { numRuns: 2_000 });
  });
});
