/** The S3 store and s3:// fetches against a real S3-compatible server (s3rver) this test starts. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, fetchUri, ObjectStoreError, openObjectStore, type ObjectStore } from '@inferq/object-store';
import { startTestS3, type TestS3 } from '../helpers/s3-server.js';

const dir = mkdtempSync(join(tmpdir(), 'inferq-s3-store-'));
let s3: TestS3;
let store: ObjectStore;
const reason = (r: string) => (error: unknown) => error instanceof ObjectStoreError && error.reason === r;
before(async () => {
  s3 = await startTestS3(['models', 'inputs']);
  store = openObjectStore('s3://models/inferq', s3.settings, { spoolDir: dir });
});
after(async () => {
  await store.close();
  await s3.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('S3ObjectStore against s3rver', () => {
  it('puts by content hash, reads back, downloads, deletes', async () => {
    const bytes = Buffer.from('an onnx file, say');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    assert.deepEqual(await store.put(Readable.from([bytes]), { maxBytes: 1000 }), { sha256, size: bytes.length });
    assert.equal(await store.has(sha256), true);
    const target = join(dir, 'cache', 'model.onnx');
    await store.download(sha256, target);
    assert.deepEqual(readFileSync(target), bytes);
    await store.delete(sha256);
    assert.equal(await store.has(sha256), false);
    await assert.rejects(store.get(sha256), reason('not-found'));
  });
  it('refuses oversize and mismatching puts', async () => {
    await assert.rejects(store.put(Readable.from([Buffer.alloc(2000)]), { maxBytes: 1000 }), reason('too-large'));
    await assert.rejects(store.put(Readable.from([Buffer.from('x')]), { maxBytes: 1000, sha256: 'f'.repeat(64) }), reason('digest-mismatch'));
  });
  it('fetchUri reads s3://bucket/key and reports a missing key', async () => {
    const client = createS3Client(s3.settings);
    try {
      await client.send(new PutObjectCommand({ Bucket: 'inputs', Key: 'a/b.bin', Body: Buffer.from('s3 bytes') }));
      const fetched = await fetchUri('s3://inputs/a/b.bin', { maxBytes: 100, s3: client });
      assert.equal(fetched.size, 8);
      const parts: Buffer[] = [];
      for await (const chunk of fetched.body) parts.push(chunk as Buffer);
      assert.equal(Buffer.concat(parts).toString(), 's3 bytes');
      await assert.rejects(fetchUri('s3://inputs/a/missing', { maxBytes: 100, s3: client }), reason('not-found'));
      await assert.rejects(fetchUri('s3://inputs/a/b.bin', { maxBytes: 4, s3: client }), reason('too-large'));
    } finally {
      client.destroy();
    }
  });
});
