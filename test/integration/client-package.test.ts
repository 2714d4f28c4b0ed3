/**
 * The publishable build of `@inferq/client` (packages/client/scripts/build-dist.mjs) runs on
 * plain Node, without tsx and without any workspace package at run time: a child `node`
 * imports dist/index.js and predicts against a real stack; dist/package.json points its
 * exports at the built files and declares types for every entry.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const PACKAGE = fileURLToPath(new URL('../../packages/client', import.meta.url));
const DIST = join(PACKAGE, 'dist');

describe('@inferq/client publishable build', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let base: string;

  before(async () => {
    const built = spawnSync(process.execPath, [join(PACKAGE, 'scripts/build-dist.mjs')], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr + built.stdout);
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url);
    base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await stack?.close();
    await redis?.dispose();
  });

  it('has a manifest with built exports and types, and no workspace code in the JavaScript', () => {
    const manifest = JSON.parse(readFileSync(join(DIST, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>>; scripts?: unknown };
    for (const target of [manifest.exports['.']!.types!, manifest.exports['.']!.default!, manifest.exports['.']!.browser!]) assert.ok(existsSync(join(DIST, target)), target);
    assert.equal(manifest.scripts, undefined);
    const js = [...readdirSync(DIST).filter((f) => f.endsWith('.js')).map((f) => join(DIST, f)), ...readdirSync(join(DIST, 'chunks')).map((f) => join(DIST, 'chunks', f))];
    for (const file of js) assert.doesNotMatch(readFileSync(file, 'utf8'), /@inferq\/|\.ts["']/, file);
  });

  it('predicts from plain Node (no tsx)', async () => {
    const script = `
      import { createClient } from ${JSON.stringify(join(DIST, 'index.js'))};
      const client = createClient({ url: process.env.URL });
      const result = await client.predict('iris', { features: [[6.7, 3.0, 5.2, 2.3]] });
      console.log(JSON.stringify({ label: result.outputs.label.data, pushed: client.stats.connects }));
      client.close();`;
    // Asynchronous: the stack answering it lives in this process.
    const run = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, URL: base }, timeout: 60_000 });
    assert.deepEqual(JSON.parse(run.stdout), { label: [2], pushed: 1 });
  });
});
