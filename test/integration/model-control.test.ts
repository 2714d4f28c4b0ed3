/**
 * Model control without restarts (real Redis, BullMQ, onnxruntime; the model store and the
 * workers' fetches go through a real S3-compatible server, s3rver): register iris v2 by upload
 * while two workers serve v1 under load, pin requests to it, unload it with its predictions
 * queued, load it again, let a late worker catch up; s3://, file:// and broken registrations.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createClient } from '@inferq/client';
import { createLogger } from '@inferq/logger';
import { createS3Client } from '@inferq/object-store';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { startInProcessStack, MODELS_DIR, type InProcessStack } from '../helpers/in-process-stack.js';
import { waitUntil } from '../helpers/processes.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startTestS3, type TestS3 } from '../helpers/s3-server.js';

const STAGED = fileURLToPath(new URL('../../models-staged/', import.meta.url));
const V2_ONNX = readFileSync(join(STAGED, 'iris', '2', 'model.onnx'));
const V2_CONFIG = JSON.parse(readFileSync(join(STAGED, 'iris', '2', 'config.json'), 'utf8')) as object;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** A flower v1 and v2 classify differently (v2 ignores the sepals), found by scanning the real data below. */
const irisRequest = (row: number[]) => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: row }] });

/** The iris v1 file with one operator renamed to one onnxruntime does not have: it parses, it cannot load. */
function unloadableOnnx(): Buffer {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(readFileSync(join(MODELS_DIR, 'iris', '1', 'model.onnx')));
  model.graph!.node![0]!.opType = 'NoSuchOperator';
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

describe('model control: versions registered, loaded and unloaded while serving', () => {
  let redis: TestRedis;
  let s3: TestS3;
  let stack: InProcessStack;
  let dataDir: string;
  let env: Record<string, string>;
  const late: WorkerApp[] = [];

  const inject = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    stack.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as string } : {}), headers });
  const describeIris = async () => (await inject('GET', '/v1/models/iris')).json() as {
    defaultVersion: string; versions: Array<{ version: string; state: string; reason?: string; workers: Record<string, string> }>;
  };
  const versionOf = async (version: string) => (await describeIris()).versions.find((v) => v.version === version);
  const waitForState = async (version: string, check: (v: NonNullable<Awaited<ReturnType<typeof versionOf>>>) => boolean, what: string) =>
    waitUntil(async () => { const v = await versionOf(version); return v !== undefined && check(v); }, 60_000, what, 100);
  const predict = async (url: string, row: number[]) => {
    const res = await inject('POST', url, irisRequest(row));
    return { status: res.statusCode, body: res.json() as { id: string; version: string; error?: { code: string } } };
  };
  const final = async (id: string) => {
    for (let i = 0; i < 10; i++) {
      const record = (await inject('GET', `/v1/predictions/${id}?wait=10000`)).json() as { status: string; result?: { model_version: string; outputs: Array<{ name: string; data: unknown[] }> } };
      if (record.status === 'completed' || record.status === 'failed' || record.status === 'expired') return record;
    }
    throw new Error(`prediction ${id} did not end`);
  };
  const workerIds = () => stack.workers.map((w) => w.identity.id);

  before(async () => {
    redis = await startTestRedis();
    s3 = await startTestS3(['models', 'staging']);
    dataDir = mkdtempSync(join(tmpdir(), 'inferq-model-control-'));
    env = {
      ...s3.env, DATA_DIR: dataDir, MODEL_STORE_URL: 's3://models/inferq', MAX_MODEL_BYTES: '100000',
      MODEL_URI_FILE_ROOTS: STAGED,
    };
    stack = await startInProcessStack(redis.url, { workers: 2, env });
  });
  after(async () => {
    await Promise.all(late.map((w) => w.close()));
    await stack?.close();
    await s3?.dispose();
    await redis?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the repository versions READY on both workers at first', async () => {
    await waitForState('1', (v) => v.state === 'READY' && workerIds().every((id) => v.workers[id] === 'READY'), 'v1 READY on both workers');
    assert.equal((await describeIris()).defaultVersion, '1');
  });

  it('registers v2 by upload while two workers serve v1 under load: nothing fails, v2 READY on both, unpinned traffic stays on v1', async () => {
    const rows = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3], [5.9, 3.2, 4.8, 1.8]];
    let stop = false;
    const ids: string[] = [];
    const statuses: number[] = [];
    // Bounded load: 4 clients, at most 400 requests each, until v2 is READY (or 60 s).
    const load = Promise.all(Array.from({ length: 4 }, async (_, client) => {
      for (let i = 0; i < 400 && !stop; i++) {
        const res = await predict('/v1/models/iris/predictions', rows[(client + i) % rows.length]!);
        statuses.push(res.status);
        if (res.status === 202) ids.push(res.body.id);
      }
    }));
    const config = encodeURIComponent(JSON.stringify(V2_CONFIG));
    const registered = await inject('POST', `/v1/models/iris/versions?config=${config}`, V2_ONNX, { 'content-type': 'application/octet-stream' });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.deepEqual(registered.json(), { model: 'iris', version: '2', state: 'LOADING' });
    try {
      await waitForState('2', (v) => v.state === 'READY' && workerIds().every((id) => v.workers[id] === 'READY'), 'v2 READY on both workers');
    } finally {
      stop = true;
      await load;
    }
    assert.ok(ids.length > 0 && statuses.every((s) => s === 202), `statuses: ${[...new Set(statuses)].join(', ')}`);
    const records = await Promise.all(ids.map(final));
    assert.deepEqual([...new Set(records.map((r) => r.status))], ['completed']);
    assert.ok(records.every((r) => r.result?.model_version === '1'), 'unpinned predictions ran on v1');
    assert.equal((await describeIris()).defaultVersion, '1', 'registering v2 did not move the default');
    const unpinned = await predict('/v1/models/iris/predictions', rows[0]!);
    assert.equal(unpinned.body.version, '1');
  });

  it('serves pinned v2 requests with v2, a genuinely different model', async () => {
    // Scan real-looking rows for one the two versions classify differently (v2 ignores the sepals).
    let differs = 0;
    for (const row of [[6.0, 2.2, 5.0, 1.5], [4.9, 2.5, 4.5, 1.7], [6.3, 2.8, 5.1, 1.5], [6.1, 2.6, 5.6, 1.4], [7.2, 3.0, 5.8, 1.6], [6.0, 2.7, 5.1, 1.6]]) {
      const [one, two] = await Promise.all([predict('/v1/models/iris/versions/1/predictions', row), predict('/v1/models/iris/versions/2/predictions', row)]);
      assert.equal(two.status, 202, JSON.stringify(two.body));
      const [r1, r2] = await Promise.all([final(one.body.id), final(two.body.id)]);
      assert.equal(r2.status, 'completed');
      assert.equal(r2.result!.model_version, '2');
      const label = (r: typeof r1) => r.result!.outputs.find((o) => o.name === 'label')!.data[0];
      if (label(r1) !== label(r2)) differs++;
    }
    assert.ok(differs > 0, 'v2 answers differently from v1 on some borderline flowers');
  });

  it('unloads v2 with predictions queued: they all complete; then v2 requests get 409 VERSION_NOT_LOADED', async () => {
    // One prediction per batch, so the workers (4 jobs in hand at a time) leave a backlog behind.
    const batching = await stack.app.inject({ method: 'PUT', url: '/v1/models/iris/versions/2/batching', payload: { maxBatchSize: 1, maxQueueDelayMs: 0 } });
    assert.equal(batching.statusCode, 200, batching.body);
    const queued = await Promise.all(Array.from({ length: 300 }, (_, i) => predict('/v1/models/iris/versions/2/predictions', [5 + (i % 10) / 10, 3, 4.5, 1.5])));
    assert.ok(queued.every((q) => q.status === 202));
    const unloaded = await inject('POST', '/v1/models/iris/versions/2/unload');
    const atUnload = await Promise.all(queued.map(async (q) => (await inject('GET', `/v1/predictions/${q.body.id}`)).json().status as string));
    const pending = atUnload.filter((s) => s === 'queued' || s === 'running').length;
    assert.ok(pending > 0, 'some v2 predictions were still queued or running when the unload was accepted');
    assert.equal(unloaded.statusCode, 200, unloaded.body);
    assert.match(unloaded.json().state, /^(UNLOADING|UNAVAILABLE)$/);
    assert.equal(unloaded.json().desired, 'unloaded');
    const refused = await predict('/v1/models/iris/versions/2/predictions', [5, 3, 4.5, 1.5]);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error?.code, 'VERSION_NOT_LOADED');
    const records = await Promise.all(queued.map((q) => final(q.body.id)));
    assert.deepEqual([...new Set(records.map((r) => r.status))], ['completed']);
    assert.ok(records.every((r) => r.result?.model_version === '2'));
    await waitForState('2', (v) => v.state === 'UNAVAILABLE' && Object.keys(v.workers).length === 0, 'v2 released by every worker');
    const v2 = await stack.app.inject({ method: 'GET', url: '/v2/models/iris/versions/2/ready' });
    assert.deepEqual(v2.json(), { name: 'iris', ready: false });
    assert.equal((await predict('/v1/models/iris/predictions', [5, 3, 4.5, 1.5])).status, 202, 'v1 keeps serving');
    await stack.app.inject({ method: 'DELETE', url: '/v1/models/iris/versions/2/batching' });
  });

  it('loads v2 again, and a worker started later catches up (reads the registry at start-up)', async () => {
    const loaded = await inject('POST', '/v1/models/iris/versions/2/load');
    assert.equal(loaded.statusCode, 200, loaded.body);
    await waitForState('2', (v) => v.state === 'READY' && workerIds().every((id) => v.workers[id] === 'READY'), 'v2 READY again');
    const worker = await startWorkerApp(loadWorkerConfig({
      ...env, REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', WORKER_ID: `late-${stack.keyPrefix}`, DEVICE: 'cpu',
    }), createLogger('test', 'silent'));
    late.push(worker);
    assert.deepEqual(worker.repository.versions('iris'), ['1', '2']);
    await waitForState('2', (v) => v.workers[worker.identity.id] === 'READY', 'the late worker holds v2');
    const ready = await stack.app.inject({ method: 'GET', url: '/v2/models/iris/versions/2/ready' });
    assert.deepEqual(ready.json(), { name: 'iris', ready: true });
  });

  it('registers from s3:// (sha256 checked) and from an allowed file:// path; a wrong sha256 is refused, nothing registered', async () => {
    const client = createS3Client(s3.settings);
    try {
      await client.send(new PutObjectCommand({ Bucket: 'staging', Key: 'iris/2/model.onnx', Body: V2_ONNX }));
    } finally {
      client.destroy();
    }
    const wrong = await inject('POST', '/v1/models/iris/versions', { uri: 's3://staging/iris/2/model.onnx', sha256: 'f'.repeat(64), config: V2_CONFIG });
    assert.equal(wrong.statusCode, 400, wrong.body);
    assert.equal(wrong.json().error.code, 'DIGEST_MISMATCH');
    const fromS3 = await inject('POST', '/v1/models/iris/versions?version=5', { uri: 's3://staging/iris/2/model.onnx', sha256: sha256(V2_ONNX), config: V2_CONFIG });
    assert.equal(fromS3.statusCode, 201, fromS3.body);
    assert.equal(fromS3.json().version, '5', 'the wrong-sha256 attempt took no version number');
    const fromFile = await inject('POST', '/v1/models/flowers/versions', { uri: `file://${join(STAGED, 'iris', '2', 'model.onnx')}` });
    assert.equal(fromFile.statusCode, 201, fromFile.body);
    assert.deepEqual(fromFile.json(), { model: 'flowers', version: '1', state: 'LOADING' });
    await waitForState('5', (v) => v.state === 'READY', 'v5 (from s3://) READY');
    // A model name new at run time gets its own queue and BullMQ worker on every worker.
    await waitUntil(async () => (await stack.app.inject({ method: 'GET', url: '/v1/models/flowers' })).json().versions?.[0]?.state === 'READY', 60_000, 'flowers READY');
    const flower = await predict('/v1/models/flowers/predictions', [6.3, 3.3, 6.0, 2.5]);
    assert.equal(flower.status, 202, JSON.stringify(flower.body));
    const record = await final(flower.body.id);
    assert.equal(record.status, 'completed');
    assert.equal(record.result!.outputs.find((o) => o.name === 'label')!.data[0], 2);
  });

  it('a model file onnxruntime cannot load ends FAILED with the reason and never takes predictions', async () => {
    const res = await inject('POST', '/v1/models/iris/versions?version=7', unloadableOnnx(), { 'content-type': 'application/octet-stream' });
    assert.equal(res.statusCode, 201, res.body);
    await waitForState('7', (v) => v.state === 'FAILED', 'v7 FAILED');
    const v7 = await versionOf('7');
    assert.match(v7!.reason!, /NoSuchOperator/);
    const refused = await predict('/v1/models/iris/versions/7/predictions', [5, 3, 4.5, 1.5]);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error?.code, 'VERSION_NOT_LOADED');
    assert.match(JSON.stringify(refused.body), /FAILED/);
  });

  it('answers bad registrations and unknown versions with 4xx codes of the registry, never a 5xx', async () => {
    const upload = (url: string, body: Buffer, type = 'application/octet-stream') => inject('POST', url, body, { 'content-type': type });
    const cases: Array<[Promise<{ statusCode: number; body: string }>, number, string, RegExp]> = [
      [upload('/v1/models/iris/versions', Buffer.from('not an onnx file at all')), 400, 'INVALID_MODEL', /ONNX/],
      [upload('/v1/models/iris/versions', Buffer.alloc(200_000, 1)), 413, 'MODEL_TOO_LARGE', /100000/],
      [upload('/v1/models/iris/versions', V2_ONNX, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE', /Unsupported Media Type/],
      [upload('/v1/models/iris/versions?version=1', V2_ONNX), 409, 'VERSION_EXISTS', /"1"/],
      [upload('/v1/models/iris/versions?version=01', V2_ONNX), 400, 'INVALID_REQUEST', /version/],
      [upload('/v1/models/iris/versions?config=%7Bnope', V2_ONNX), 400, 'INVALID_REQUEST', /config/],
      [upload(`/v1/models/iris/versions?config=${encodeURIComponent('{"maxBatch":3}')}`, V2_ONNX), 400, 'INVALID_REQUEST', /maxBatch/],
      [upload(`/v1/models/iris/versions?config=${encodeURIComponent('{"inputs":[{"name":"features","shape":[-1,5]}]}')}`, V2_ONNX), 400, 'INVALID_MODEL', /fixed to 4/],
      [upload(`/v1/models/iris/versions?config=${encodeURIComponent('{"onnxruntime":{"intraOpThreads":0}}')}`, V2_ONNX), 400, 'INVALID_REQUEST', /onnxruntime\.intraOpThreads must be an integer/],
      [inject('POST', '/v1/models/iris/versions', { uri: 'file:///etc/passwd' }), 403, 'MODEL_URI_FORBIDDEN', /outside/],
      [inject('POST', '/v1/models/iris/versions', { uri: 'https://example.com/model.onnx' }), 400, 'INVALID_MODEL_URI', /sha256/],
      [inject('POST', '/v1/models/iris/versions', { uri: 'ftp://example.com/model.onnx' }), 400, 'INVALID_MODEL_URI', /ftp/],
      [inject('POST', '/v1/models/iris/versions', { uri: 's3://staging/missing.onnx' }), 400, 'INVALID_MODEL_URI', /does not exist/],
      [inject('POST', '/v1/models/iris/versions', { url: 'file:///x' }), 400, 'INVALID_REQUEST', /uri/],
      [inject('POST', '/v1/models/iris/versions/99/load'), 404, 'VERSION_NOT_FOUND', /"99"/],
      [inject('POST', '/v1/models/tulip/versions/1/unload'), 404, 'MODEL_NOT_FOUND', /tulip/],
      [inject('GET', '/v1/models/tulip'), 404, 'MODEL_NOT_FOUND', /tulip/],
    ];
    for (const [pending, status, code, message] of cases) {
      const res = await pending;
      assert.equal(res.statusCode, status, res.body);
      const error = (JSON.parse(res.body) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, code, res.body);
      assert.match(error.message, message);
    }
    assert.deepEqual((await describeIris()).versions.map((v) => v.version), ['1', '2', '5', '7'], 'no refused registration left a version');
  });

  it('runs a version with its own onnxruntime session options (config.json "onnxruntime"), answering as with the defaults', async () => {
    const config = encodeURIComponent(JSON.stringify({ ...V2_CONFIG, onnxruntime: { intraOpThreads: 1, interOpThreads: 2, executionMode: 'parallel', graphOptimizationLevel: 'basic', enableCpuMemArena: false, enableMemPattern: false } }));
    const registered = await inject('POST', `/v1/models/iris/versions?version=8&config=${config}`, V2_ONNX, { 'content-type': 'application/octet-stream' });
    assert.equal(registered.statusCode, 201, registered.body);
    await waitForState('8', (v) => v.state === 'READY' && workerIds().every((id) => v.workers[id] === 'READY'), 'v8 READY on both workers');
    for (const row of [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]) {
      const [tuned, plain] = await Promise.all(['8', '2'].map(async (version) => (await final((await predict(`/v1/models/iris/versions/${version}/predictions`, row)).body.id)).result!.outputs));
      assert.deepEqual(tuned, plain, `row ${row.join(',')}`);
    }
  });

  it('@inferq/client drives it: status, register, unload, load', async () => {
    const base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    const client = createClient({ url: base, timeoutMs: 30_000 });
    try {
      const registered = await client.models.register('iris', { bytes: new Uint8Array(V2_ONNX) }, { version: '9', config: V2_CONFIG });
      assert.deepEqual(registered, { model: 'iris', version: '9', state: 'LOADING' });
      await waitUntil(async () => (await client.models.status('iris')).versions.find((v) => v.version === '9')?.state === 'READY', 60_000, 'v9 READY');
      assert.equal((await client.models.unload('iris', '9')).desired, 'unloaded');
      await assert.rejects(client.models.unload('iris', '99'), (error: unknown) => (error as { code?: string }).code === 'VERSION_NOT_FOUND');
      assert.equal((await client.models.load('iris', '9')).desired, 'loaded');
    } finally {
      client.close();
    }
  });
});
