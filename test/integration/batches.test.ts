/**
 * Batch prediction jobs against a real Redis, BullMQ and onnxruntime (API and worker in this
 * process): a 100 000-row iris CSV equal to direct onnxruntime row by row, progress, bad rows,
 * malformed files, cancel, JSON Lines inputs, CSV results, file:// URIs and schedules.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { batchQueueName, type BatchRecord } from '@inferq/batch-jobs';
import { Queue } from 'bullmq';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { irisBatchRows, irisCsv } from '../helpers/batch-inputs.js';
import { startTestS3, type TestS3 } from '../helpers/s3-server.js';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@inferq/object-store';

interface ResultLine {
  row: number;
  outputs?: Array<{ name: string; datatype: string; shape: number[]; data: number[] }>;
  error?: { code: string; message: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('batch prediction jobs', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let dir: string;
  let iris: DirectModel;
  let s3: TestS3;

  before(async () => {
    redis = await startTestRedis();
    s3 = await startTestS3(['batches']);
    dir = mkdtempSync(join(tmpdir(), 'inferq-batches-'));
    stack = await startInProcessStack(redis.url, { env: { BATCH_DATA_DIR: join(dir, 'store'), BATCH_FILE_ROOT: join(dir, 'files'), ...s3.env } });
    iris = await DirectModel.load('iris');
  });
  after(async () => {
    await stack?.close();
    await redis?.dispose();
    await s3?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const submitCsv = (csv: string, query = '') => stack.app.inject({
    method: 'POST', url: `/v1/models/iris/batches${query}`, headers: { 'content-type': 'text/csv' }, payload: csv,
  });
  const submitJsonl = (lines: unknown[], query = '') => stack.app.inject({
    method: 'POST', url: `/v1/models/iris/batches${query}`, headers: { 'content-type': 'application/x-ndjson' },
    payload: `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
  });
  const get = async (id: string): Promise<BatchRecord> => {
    const response = await stack.app.inject({ method: 'GET', url: `/v1/batches/${id}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<BatchRecord>();
  };
  /** Polls until the batch is final (bounded), checking on the way that progress never goes back. */
  const waitFinal = async (id: string, timeoutMs = 150_000): Promise<{ record: BatchRecord; seen: number[] }> => {
    const seen: number[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await get(id);
      const progress = record.done + record.failed;
      if (seen.length > 0) assert.ok(progress >= seen.at(-1)!, `progress went back: ${seen.at(-1)} → ${progress}`);
      seen.push(progress);
      if (!['queued', 'running'].includes(record.status)) return { record, seen };
      assert.ok(Date.now() < deadline, `batch ${id} still ${record.status} at ${progress}/${record.total}`);
      await sleep(100);
    }
  };
  const results = async (id: string, format?: string): Promise<string> => {
    const response = await stack.app.inject({ method: 'GET', url: `/v1/batches/${id}/results${format ? `?format=${format}` : ''}` });
    assert.equal(response.statusCode, 200, response.body.slice(0, 300));
    return response.body;
  };
  const lines = (text: string): ResultLine[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ResultLine);

  it('runs a 100 000-row iris CSV: every row once, in order, equal to direct onnxruntime', { timeout: 300_000 }, async () => {
    const rows = irisBatchRows(100_000);
    const response = await submitCsv(irisCsv(rows), '?chunkSize=2000');
    assert.equal(response.statusCode, 202, response.body);
    const accepted = response.json<BatchRecord>();
    assert.equal(accepted.status, 'queued');
    assert.equal(accepted.total, 100_000);
    assert.equal(response.headers.location, `/v1/batches/${accepted.id}`);

    const { record, seen } = await waitFinal(accepted.id);
    assert.equal(record.status, 'completed', JSON.stringify(record));
    assert.equal(record.done, 100_000);
    assert.equal(record.failed, 0);
    assert.equal(seen.at(-1), record.total, 'progress ends at total');
    assert.ok(record.rowsPerSecond > 0);

    const out = lines(await results(accepted.id));
    assert.equal(out.length, 100_000, 'every row once');
    const expected = await iris.run('features', rows.flat(), [rows.length, 4]);
    for (let i = 0; i < out.length; i++) {
      const line = out[i]!;
      assert.equal(line.row, i, 'in input order');
      const probabilities = line.outputs?.find((o) => o.name === 'probabilities');
      const label = line.outputs?.find((o) => o.name === 'label');
      assert.ok(probabilities && label, `row ${i} has both outputs`);
      assert.deepEqual(label.data, [expected.label![i]], `row ${i} label`);
      for (let k = 0; k < 3; k++) {
        const e = expected.probabilities![i * 3 + k]!;
        assert.ok(Math.abs(probabilities.data[k]! - e) <= 1e-6, `row ${i} probability ${k}: ${probabilities.data[k]} vs ${e}`);
      }
    }
  });

  it('fails a bad row alone with its line number: completed_with_errors', async () => {
    const csv = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.0,abc,4.0,1.2\n6.7,3.0,5.2,2.3\n';
    const response = await submitCsv(csv, '?chunkSize=2');
    assert.equal(response.statusCode, 202, response.body);
    const { record } = await waitFinal(response.json<BatchRecord>().id);
    assert.equal(record.status, 'completed_with_errors');
    assert.deepEqual([record.total, record.done, record.failed], [3, 2, 1]);
    const out = lines(await results(record.id));
    assert.deepEqual(out.map((l) => l.row), [0, 1, 2]);
    assert.equal(out[1]!.error?.code, 'INVALID_TENSOR_DATA');
    assert.match(out[1]!.error!.message, /line 3: column "sepal_width" is "abc"/);
    assert.ok(out[0]!.outputs && out[2]!.outputs);
  });

  it('refuses a malformed file with 400 before any chunk runs', async () => {
    const queue = new Queue(batchQueueName('iris'), { connection: { url: redis.url }, prefix: stack.keyPrefix });
    try {
      const before = await queue.getJobCounts();
      const ragged = await submitCsv('sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.0,3.0\n');
      assert.equal(ragged.statusCode, 400);
      assert.equal(ragged.json().error.code, 'INVALID_BATCH_INPUT');
      assert.match(ragged.json().error.message, /line 3/);
      const header = await submitCsv('a,b\n1,2\n');
      assert.equal(header.json().error.code, 'INVALID_BATCH_INPUT');
      assert.match(header.json().error.message, /"sepal_length"/);
      const json = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/batches', headers: { 'content-type': 'application/x-ndjson' }, payload: '{"sepal_length":1}\n{oops\n' });
      assert.equal(json.statusCode, 400);
      assert.match(json.json().error.message, /line 2 is not valid JSON/);
      const empty = await submitCsv('sepal_length,sepal_width,petal_length,petal_width\n');
      assert.match(empty.json().error.message, /no rows/);
      assert.deepEqual(await queue.getJobCounts(), before, 'no batch job was queued');
    } finally {
      await queue.close();
    }
  });

  it('answers 4xx for bad options and unknown batches', async () => {
    const bad = await submitCsv('sepal_length,sepal_width,petal_length,petal_width\n1,2,3,4\n', '?chunkSize=0');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /"chunkSize"/);
    const model = await stack.app.inject({ method: 'POST', url: '/v1/models/nope/batches', headers: { 'content-type': 'text/csv' }, payload: 'a\n1\n' });
    assert.equal(model.json().error.code, 'MODEL_NOT_FOUND');
    const missing = await stack.app.inject({ method: 'GET', url: `/v1/batches/b${'0'.repeat(24)}` });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'BATCH_NOT_FOUND');
    const uri = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/batches', payload: { uri: 'file:///etc/passwd', inputFormat: 'csv' } });
    assert.equal(uri.statusCode, 400);
    assert.equal(uri.json().error.code, 'INVALID_BATCH_URI');
  });

  it('reads JSON Lines of v2 requests and of named features, and writes CSV results', async () => {
    const response = await submitJsonl([
      { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] },
      { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 },
      { sepal_length: 6.7 },
    ], '?format=csv');
    assert.equal(response.statusCode, 202, response.body);
    const { record } = await waitFinal(response.json<BatchRecord>().id);
    assert.equal(record.status, 'completed_with_errors');
    const csv = (await results(record.id)).trim().split('\n');
    assert.equal(csv[0], 'row,probabilities_0,probabilities_1,probabilities_2,label,error_code,error_message');
    const expected = await iris.run('features', [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3], [2, 4]);
    for (const row of [0, 1]) {
      const cells = csv[row + 1]!.split(',');
      assert.equal(cells[0], String(row));
      assert.equal(Number(cells[4]), expected.label![row]);
      assert.ok(Math.abs(Number(cells[1]) - expected.probabilities![row * 3]!) <= 1e-6);
    }
    assert.equal(csv[3], '2,,,,,MISSING_INPUT,"line 3: features ""sepal_width"", ""petal_length"", ""petal_width"" are missing"');
    // The same results as JSON Lines on request.
    assert.equal(lines(await results(record.id, 'jsonl')).length, 3);
  });

  it('pushes progress over the WebSocket at most every 500 ms, ending at total', { timeout: 120_000 }, async () => {
    const response = await submitCsv(irisCsv(irisBatchRows(8_000, 13)), '?chunkSize=250');
    const { id } = response.json<BatchRecord>();
    const socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    const messages: Array<{ at: number; m: { type: string; status: string; done: number; total: number; id: string } }> = [];
    const ended = new Promise<void>((resolve) => {
      socket.addEventListener('message', (event: MessageEvent) => {
        const m = JSON.parse(String(event.data)) as { type: string; status: string; done: number; total: number; id: string };
        messages.push({ at: Date.now(), m });
        if (m.type !== 'batch-progress' || !['queued', 'running'].includes(m.status)) resolve();
      });
    });
    socket.send(JSON.stringify({ type: 'subscribe', ids: [id] }));
    const timeout = setTimeout(() => socket.close(), 110_000);
    await ended;
    clearTimeout(timeout);
    socket.close();
    const progress = messages.map((x) => x.m);
    assert.ok(progress.every((m) => m.type === 'batch-progress' && m.id === id), JSON.stringify(progress.slice(0, 3)));
    assert.equal(progress.at(-1)!.status, 'completed');
    assert.equal(progress.at(-1)!.done, 8_000);
    for (let i = 1; i < messages.length; i++) {
      assert.ok(progress[i]!.done >= progress[i - 1]!.done, 'monotonic');
      assert.ok(messages[i]!.at - messages[i - 1]!.at >= 450, `pushes ${messages[i]!.at - messages[i - 1]!.at} ms apart`);
    }
  });

  it('cancels a batch: remaining chunks dropped, results so far kept', { timeout: 120_000 }, async () => {
    const response = await submitCsv(irisCsv(irisBatchRows(60_000, 3)), '?chunkSize=500');
    const { id } = response.json<BatchRecord>();
    const deadline = Date.now() + 60_000;
    while ((await get(id)).done === 0) {
      assert.ok(Date.now() < deadline, 'the batch started');
      await sleep(20);
    }
    const cancelled = await stack.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json<BatchRecord>().status, 'cancelled');
    await sleep(1500); // chunks in hand finish; no new one starts
    const record = await get(id);
    assert.equal(record.status, 'cancelled');
    assert.ok(record.done > 0 && record.done < 60_000, `done ${record.done}`);
    const out = lines(await results(id));
    assert.equal(out.length, record.done, 'the results kept are the rows counted');
    out.forEach((l, i) => assert.equal(l.row, i));
    const again = await stack.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'BATCH_FINISHED');
  });

  it('reads a file:// input and writes the results to a file:// URI, then calls the webhook', async () => {
    const files = join(dir, 'files');
    const input = join(files, 'in', 'rows.csv');
    const output = join(files, 'out', 'results.jsonl');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(files, 'in'), { recursive: true });
    writeFileSync(input, irisCsv(irisBatchRows(10, 5)));
    const { createServer } = await import('node:http');
    const hooks: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const response = await stack.app.inject({
        method: 'POST', url: '/v1/models/iris/batches',
        payload: { uri: pathToFileURL(input).href, resultUri: pathToFileURL(output).href, webhook: `http://127.0.0.1:${port}/done` },
      });
      assert.equal(response.statusCode, 202, response.body);
      const { record } = await waitFinal(response.json<BatchRecord>().id);
      assert.equal(record.status, 'completed');
      const written = lines(readFileSync(output, 'utf8'));
      assert.deepEqual(written.map((l) => l.row), [...Array(10).keys()]);
      const deadline = Date.now() + 10_000;
      while (hooks.length === 0 && Date.now() < deadline) await sleep(50);
      assert.equal((hooks[0] as BatchRecord).id, record.id);
      assert.equal((hooks[0] as BatchRecord).status, 'completed');
    } finally {
      server.close();
    }
  });

  it('reads an s3:// input and writes s3:// results (a real S3-compatible server)', async () => {
    const client = createS3Client(s3.settings);
    const rows = irisBatchRows(25, 11);
    await client.send(new PutObjectCommand({ Bucket: 'batches', Key: 'in/rows.csv', Body: irisCsv(rows) }));
    const response = await stack.app.inject({
      method: 'POST', url: '/v1/models/iris/batches',
      payload: { uri: 's3://batches/in/rows.csv', resultUri: 's3://batches/out/results.csv', format: 'csv', chunkSize: 10 },
    });
    assert.equal(response.statusCode, 202, response.body);
    const { record } = await waitFinal(response.json<BatchRecord>().id);
    assert.equal(record.status, 'completed', JSON.stringify(record));
    const object = await client.send(new GetObjectCommand({ Bucket: 'batches', Key: 'out/results.csv' }));
    const csv = (await object.Body!.transformToString()).trim().split('\n');
    assert.equal(csv.length, 26);
    const expected = await iris.run('features', rows.flat(), [rows.length, 4]);
    csv.slice(1).forEach((line, i) => {
      const cells = line.split(',');
      assert.equal(Number(cells[0]), i);
      assert.equal(Number(cells[4]), expected.label![i]);
    });
    const missing = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/batches', payload: { uri: 's3://batches/in/none.csv' } });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.code, 'INVALID_BATCH_URI');
    client.destroy();
  });

  it('runs a schedule every second, lists it and deletes it', { timeout: 60_000 }, async () => {
    const input = join(dir, 'files', 'in', 'scheduled.csv');
    writeFileSync(input, irisCsv(irisBatchRows(5, 9)));
    const bad = await stack.app.inject({ method: 'POST', url: '/v1/schedules', payload: { cron: 'every minute', model: 'iris', uri: pathToFileURL(input).href } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_SCHEDULE');
    const created = await stack.app.inject({ method: 'POST', url: '/v1/schedules', payload: { id: 'nightly', cron: '* * * * * *', model: 'iris', uri: pathToFileURL(input).href } });
    assert.equal(created.statusCode, 201, created.body);
    const listed = await stack.app.inject({ method: 'GET', url: '/v1/schedules' });
    assert.deepEqual(listed.json<{ schedules: Array<{ id: string; cron: string }> }>().schedules.map((s) => [s.id, s.cron]), [['nightly', '* * * * * *']]);

    // A batch it created finishes (scan the batch hashes under this stack's prefix).
    const ioredis = (await import('ioredis')).Redis;
    const client = new ioredis(redis.url);
    try {
      const deadline = Date.now() + 30_000;
      let done: BatchRecord | undefined;
      while (!done) {
        assert.ok(Date.now() < deadline, 'a scheduled batch completed');
        const keys = await client.keys(`${stack.keyPrefix}:batch:b*`);
        for (const key of keys.filter((k) => !k.endsWith(':chunks'))) {
          const record = await get(key.slice(key.lastIndexOf(':') + 1));
          if (record.schedule === 'nightly' && record.status === 'completed') done = record;
        }
        await sleep(200);
      }
      assert.equal(done.total, 5);
    } finally {
      client.disconnect();
    }
    const deleted = await stack.app.inject({ method: 'DELETE', url: '/v1/schedules/nightly' });
    assert.equal(deleted.statusCode, 204);
    assert.deepEqual((await stack.app.inject({ method: 'GET', url: '/v1/schedules' })).json(), { schedules: [] });
    const missing = await stack.app.inject({ method: 'DELETE', url: '/v1/schedules/nightly' });
    assert.equal(missing.json().error.code, 'SCHEDULE_NOT_FOUND');
  });
});
