import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAccessControl } from './access-banner.js';

describe('describeAccessControl (the banner line)', () => {
  it('says OFF, and that every route is open, when no key is configured or stored', () => {
    const lines = describeAccessControl(0, {});
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /OFF: no API key configured or stored/);
  });

  it('names every reason it is ON: ADMIN_API_KEY, API_KEYS and stored keys', () => {
    const [line] = describeAccessControl(3, { ADMIN_API_KEY: 'x'.repeat(32), API_KEYS: 'a:predict:00, b:read:11' });
    assert.match(line!, /^ {2}access {6}ON: ADMIN_API_KEY is set; API_KEYS names 2 key\(s\); 3 key\(s\) stored in Redis/);
  });

  it('points to keys:reset only when stored keys are what keeps it on', () => {
    assert.equal(describeAccessControl(0, { ADMIN_API_KEY: 'x'.repeat(32) }).length, 1);
    const lines = describeAccessControl(1, {});
    assert.match(lines[0]!, /ON: 1 key\(s\) stored in Redis by POST \/v1\/admin\/keys \(they outlive restarts\)/);
    assert.match(lines[1]!, /npm run keys:reset/);
  });

  it('treats blank variables as unset, as the API does', () => {
    assert.match(describeAccessControl(0, { ADMIN_API_KEY: '  ', API_KEYS: '' })[0]!, /OFF/);
  });
});
