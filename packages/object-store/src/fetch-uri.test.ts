import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { fetchUri } from './fetch-uri.js';
import { ObjectStoreError } from './object-store-error.js';
import { s3SettingsFromEnv } from './s3-settings.js';

const root = mkdtempSync(join(tmpdir(), 'inferq-fetch-uri-'));
const allowed = join(root, 'allowed');
const outside = join(root, 'outside');
mkdirSync(allowed);
mkdirSync(outside);
writeFileSync(join(allowed, 'model.onnx'), 'allowed bytes');
writeFileSync(join(outside, 'secret'), 'secret bytes');
symlinkSync(join(outside, 'secret'), join(allowed, 'link-out'));
const reason = (r: string) => (error: unknown) => error instanceof ObjectStoreError && error.reason === r;
const text = async (body: AsyncIterable<unknown>) => {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString();
};
let server: Server;
let base: string;
before(async () => {
  server = createServer((request, response) => {
    if (request.url === '/model') response.end('http bytes');
    else if (request.url === '/big') { response.setHeader('content-length', '5000'); response.end(Buffer.alloc(5000)); }
    else if (request.url === '/chunked') { response.write(Buffer.alloc(3000)); response.end(Buffer.alloc(3000)); }
    else { response.statusCode = 404; response.end(); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('fetchUri file://', () => {
  it('reads a file inside an allowed root', async () => {
    const fetched = await fetchUri(pathToFileURL(join(allowed, 'model.onnx')).href, { maxBytes: 100, fileRoots: [allowed] });
    assert.equal(fetched.size, 13);
    assert.equal(await text(fetched.body), 'allowed bytes');
  });
  it('refuses paths outside the roots, also through .. and symlinks', async () => {
    await assert.rejects(fetchUri(pathToFileURL(join(outside, 'secret')).href, { maxBytes: 100, fileRoots: [allowed] }), reason('forbidden'));
    await assert.rejects(fetchUri(`file://${allowed}/../outside/secret`, { maxBytes: 100, fileRoots: [allowed] }), reason('forbidden'));
    await assert.rejects(fetchUri(pathToFileURL(join(allowed, 'link-out')).href, { maxBytes: 100, fileRoots: [allowed] }), reason('forbidden'));
    await assert.rejects(fetchUri(pathToFileURL(join(allowed, 'model.onnx')).href, { maxBytes: 100 }), reason('forbidden'));
  });
  it('reports missing files, directories and oversize files', async () => {
    await assert.rejects(fetchUri(pathToFileURL(join(allowed, 'nope')).href, { maxBytes: 100, fileRoots: [allowed] }), reason('not-found'));
    await assert.rejects(fetchUri(pathToFileURL(allowed).href, { maxBytes: 100, fileRoots: [root] }), reason('not-found'));
    await assert.rejects(fetchUri(pathToFileURL(join(allowed, 'model.onnx')).href, { maxBytes: 5, fileRoots: [allowed] }), reason('too-large'));
  });
});

describe('fetchUri http(s):// and others', () => {
  it('refuses plain http unless allowed, and unknown schemes', async () => {
    await assert.rejects(fetchUri(`${base}/model`, { maxBytes: 100 }), reason('invalid-uri'));
    await assert.rejects(fetchUri('ftp://example.com/x', { maxBytes: 100 }), reason('invalid-uri'));
    await assert.rejects(fetchUri('s3://bucket/key', { maxBytes: 100 }), reason('forbidden'));
  });
  it('streams a download, refusing a declared or actual oversize body', async () => {
    assert.equal(await text((await fetchUri(`${base}/model`, { maxBytes: 100, allowHttp: true })).body), 'http bytes');
    await assert.rejects(fetchUri(`${base}/big`, { maxBytes: 1000, allowHttp: true }), reason('too-large'));
    const chunked = await fetchUri(`${base}/chunked`, { maxBytes: 4000, allowHttp: true });
    await assert.rejects(text(chunked.body), reason('too-large'));
    await assert.rejects(fetchUri(`${base}/missing`, { maxBytes: 100, allowHttp: true }), reason('not-found'));
  });
});

describe('s3SettingsFromEnv', () => {
  it('reads endpoint, region, credentials; path style follows the endpoint', () => {
    assert.deepEqual(s3SettingsFromEnv({}), { region: 'us-east-1', forcePathStyle: false });
    assert.deepEqual(s3SettingsFromEnv({ S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }), {
      endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, forcePathStyle: true,
    });
  });
  it('names the bad variable', () => {
    assert.throws(() => s3SettingsFromEnv({ S3_ENDPOINT: 'localhost:9000' }), /^Error: S3_ENDPOINT/);
    assert.throws(() => s3SettingsFromEnv({ AWS_ACCESS_KEY_ID: 'a' }), /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    assert.throws(() => s3SettingsFromEnv({ S3_FORCE_PATH_STYLE: 'yes' }), /^Error: S3_FORCE_PATH_STYLE/);
  });
});
