import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heaviestRoute, stepPolicy } from './rollout-engine.js';

describe('stepPolicy', () => {
  const base = { basePolicy: { routes: [{ version: 1, weight: 100 }], sticky: true, rules: [{ when: { header: { 'x-region': 'kr' } }, version: 1 }], shadow: null }, baseline: 1, version: 2, shadowPercent: 100 };

  it('splits baseline and candidate, mirrors to the candidate, keeps sticky and rules', () => {
    assert.deepEqual(stepPolicy(base, 25), {
      routes: [{ version: 1, weight: 75 }, { version: 2, weight: 25 }], sticky: true, rules: base.basePolicy.rules, shadow: { version: 2, percent: 100 },
    });
  });

  it('gives the candidate everything at 100 %, without a shadow', () => {
    assert.deepEqual(stepPolicy(base, 100), { routes: [{ version: 2, weight: 100 }], sticky: true, rules: base.basePolicy.rules, shadow: null });
  });

  it('mirrors nothing with shadowPercent 0', () => {
    assert.equal(stepPolicy({ ...base, shadowPercent: 0 }, 10).shadow, null);
  });
});

describe('heaviestRoute', () => {
  it('is the version with the most weight, the first of equals, none without routes', () => {
    assert.equal(heaviestRoute({ routes: [{ version: 1, weight: 10 }, { version: 2, weight: 90 }] }), 2);
    assert.equal(heaviestRoute({ routes: [{ version: 3, weight: 50 }, { version: 2, weight: 50 }] }), 3);
    assert.equal(heaviestRoute({ routes: [] }), undefined);
  });
});
