import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError } from '@inferq/contract';
import { checkTrafficPolicy, type VersionFacts } from './traffic-policy-check.js';

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
