import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { DirectoryObjectStore } from './directory-object-store.js';
import { ObjectStoreError } from './object-store-error.js';
import { checkObjectStoreUrl, openObjectStore } from './open-object-store.js';

const root = mkdtempSync(join(tmpdir(), 'inferq-object-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const reason = (r: string) => (error: unknown) => error instanceof ObjectStoreError && error.reason === r;
/** A source yielding `count` chunks of `size` bytes. */
function* chunks(count: number, size: number) {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, i % 256);
}

describe('DirectoryObjectStore', () => {
  const store = new DirectoryObjectStore(join(root, 'store'));

  it('stores by content hash, once, and reads back', async () => {
    const bytes = Buffer.from('model bytes');
    const first = await store.put(Readable.from([bytes]), { maxBytes: 100 });
    assert.deepEqual(first, { sha256: sha(bytes), size: bytes.length });
    const again = await store.put(Readable.from([bytes]), { maxBytes: 100, sha256: sha(bytes) });
    assert.deepEqual(again, first);
    assert.equal(await store.has(first.sha256), true);
    assert.deepEqual(readFileSync(store.pathOf(first.sha256)), bytes);
    const read: Buffer[] = [];
    for await (const chunk of await store.get(first.sha256)) read.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(read), bytes);
    const copy = join(root, 'copy', 'model.onnx');
    await store.download(first.sha256, copy);
    assert.deepEqual(readFileSync(copy), bytes);
    await store.delete(first.sha256);
    assert.equal(await store.has(first.sha256), false);
    await store.delete(first.sha256); // absent: no error
  });

  it('cuts off an oversize source and leaves nothing behind', async () => {
    let pulled = 0;
    const source = Readable.from((function* () {
      for (const chunk of chunks(1000, 1024)) { pulled++; yield chunk; }
    })());
    await assert.rejects(store.put(source, { maxBytes: 10 * 1024 }), reason('too-large'));
    assert.ok(pulled < 100, `read ${pulled} chunks of a source far over the limit`);
    assert.deepEqual(readdirSync(store.root).filter((n) => n.startsWith('.incoming')), []);
  });

  it('refuses bytes that do not match the expected hash', async () => {
    await assert.rejects(store.put(Readable.from([Buffer.from('abc')]), { maxBytes: 100, sha256: '0'.repeat(64) }), reason('digest-mismatch'));
    assert.equal(await store.has(sha(Buffer.from('abc'))), false);
  });

  it('refuses malformed hashes and reports missing objects', async () => {
    await assert.rejects(store.get('../../etc/passwd'), reason('invalid-uri'));
    await assert.rejects(store.get('a'.repeat(64)), reason('not-found'));
    await assert.rejects(store.download('a'.repeat(64), join(root, 'x')), reason('not-found'));
  });

  it('download notices a stored file that was changed behind its back', async () => {
    const stored = await store.put(Readable.from([Buffer.from('original')]), { maxBytes: 100 });
    writeFileSync(store.pathOf(stored.sha256), 'tampered');
    await assert.rejects(store.download(stored.sha256, join(root, 'tampered.onnx')), reason('digest-mismatch'));
  });
});

describe('openObjectStore / checkObjectStoreUrl', () => {
  it('opens directories from paths and file URLs', () => {
    const dir = join(root, 'opened');
    assert.equal((openObjectStore(dir, { region: 'us-east-1', forcePathStyle: false }) as DirectoryObjectStore).root, dir);
    assert.equal((openObjectStore(`file://${dir}`, { region: 'us-east-1', forcePathStyle: false }) as DirectoryObjectStore).root, dir);
    assert.equal(openObjectStore('s3://models-bucket/inferq', { region: 'us-east-1', forcePathStyle: true }).location, 's3://models-bucket/inferq/');
  });
  it('names the variable of a bad URL', () => {
    assert.throws(() => checkObjectStoreUrl('MODEL_STORE_URL', 'gs://x/y'), /^Error: MODEL_STORE_URL: "gs:\/\/x\/y" is not a store location/);
    assert.throws(() => checkObjectStoreUrl('MODEL_STORE_URL', 's3://A_B/x'), /MODEL_STORE_URL/);
    assert.equal(checkObjectStoreUrl('MODEL_STORE_URL', 's3://bucket/prefix'), 's3://bucket/prefix');
  });
});
