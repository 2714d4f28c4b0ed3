/** The docs follow the code: error codes and configuration variables are all documented. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '@inferq/contract';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('documentation matches the code', () => {
  it('docs/api.md lists every error code with its HTTP status', () => {
    const doc = read('docs/api.md');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${spec.status} \\|`), `${code} missing from docs/api.md`);
    }
  });

  it('the README configuration table names every environment variable the apps read', () => {
    const readme = read('README.md');
    const sources = ['apps/api/src/config.ts', 'apps/worker/src/config.ts', 'apps/launcher/src/config.ts', 'apps/monitor/src/config.ts', 'packages/env/src/shared-settings.ts'].map(read).join('\n');
    const names = new Set([...sources.matchAll(/read\w+\(env, '([A-Z_]+)'/g)].map((m) => m[1]!));
    assert.ok(names.size > 15, `found ${names.size} variables`);
    for (const name of names) assert.ok(readme.includes(`\`${name}\``), `${name} is not in the README configuration table`);
  });
});
