/**
 * `@inferq/client`'s browser entry in real headless Chromium (playwright-core, /usr/bin/chromium):
 * the entry is bundled with esbuild for the browser platform (a Node-only import would fail the
 * bundle), served by this test from its own origin, and the page predicts against a real stack
 * (API on loopback with CORS and access control on, Redis, a worker): REST submit with the
 * result pushed, a WebSocket predict with a binary frame, watch, and a typed error.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, seededRandom, textLineImages } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_KEY = 'admin-key-for-the-browser-client-test-0123456789';
const ENTRY = fileURLToPath(new URL('../../packages/client/src/browser.ts', import.meta.url));

const PAGE = `<!doctype html><meta charset="utf-8"><title>inferq client</title>
<script type="module">
  import * as inferq from './client.js';
  window.inferq = inferq;
  document.body.dataset.loaded = 'true';
</script>`;

describe('@inferq/client in headless Chromium (real stack)', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let pageServer: Server;
  let browser: Browser;
  let page: Page;
  let api: string;
  let bundle: string;
  const problems: string[] = [];

  before(async () => {
    const built = await build({ entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
    bundle = built.outputFiles[0]!.text;
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 1, env: { ADMIN_API_KEY: ADMIN_KEY, CORS_ORIGINS: '*' } });
    api = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    pageServer = createServer((request, response) => {
      if (request.url === '/client.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
    await page.waitForSelector('body[data-loaded="true"]', { state: 'attached', timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => pageServer?.close(r));
    await stack?.close();
    await redis?.dispose();
  });

  it('bundles for the browser without Node-only code', () => {
    assert.doesNotMatch(bundle, /from\s*["'](node:|ws["'])|import\(["']ws["']\)/);
  });

  it('predicts from the page: REST + push, WebSocket binary frame, watch, typed errors', async () => {
    const image = textLineImages(seededRandom(3), 1);
    const direct = await (await DirectModel.load('text-orientation')).run('x', image, [1, 3, 48, 192]);
    const outcome = await page.evaluate(async ({ api, key, image }) => {
      type Client = { predict: Function; submit: Function; watch: Function; close: Function; stats: { connects: number; delivered: number } };
      const lib = (globalThis as unknown as { inferq: { createClient(o: unknown): Client; InferqClientError: Function } }).inferq;
      const client = lib.createClient({ url: api, apiKey: key });
      const iris = await client.predict('iris', { features: [[6.7, 3.0, 5.2, 2.3]] });
      const text = await client.predict('text-orientation', [{ name: 'x', data: Float32Array.from(image), shape: [1, 3, 48, 192] }], { submitOver: 'ws' });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await client.submit('iris', { features: [[5.1, 3.5, 1.4, 0.2]] })).id);
      const watched: string[] = [];
      for await (const item of client.watch(ids)) watched.push(`${item.id}:${item.prediction?.status}`);
      let error: { isClientError: boolean; code: string; status: number } | undefined;
      try {
        await client.predict('iris', { features: [[1, 2, 3]] });
      } catch (e) {
        error = { isClientError: e instanceof lib.InferqClientError, code: (e as { code: string }).code, status: (e as { status: number }).status };
      }
      const stats = client.stats;
      client.close();
      return { label: iris.outputs.label.data, softmax: text.outputs['softmax_0.tmp_0'].data as number[], watched, ids, error, connects: stats.connects, delivered: stats.delivered };
    }, { api, key: ADMIN_KEY, image });
    assert.deepEqual(outcome.label, [2]);
    outcome.softmax.forEach((v, i) => assert.ok(Math.abs(v - direct['softmax_0.tmp_0']![i]!) < 1e-5));
    assert.deepEqual([...outcome.watched].sort(), outcome.ids.map((id) => `${id}:completed`).sort());
    assert.deepEqual(outcome.error, { isClientError: true, code: 'SHAPE_MISMATCH', status: 400 });
    assert.equal(outcome.connects, 1, 'one WebSocket (authenticated with ?api_key=) carried the results');
    assert.equal(outcome.delivered, 7);
    assert.deepEqual(problems, []);
  });
});
