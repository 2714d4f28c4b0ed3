/**
 * Issue 9 A.6: an input that makes iris output NaN. Before, JSON showed `null` and a binary output
 * 0.0; now JSON says what each value is ("NaN", "Infinity", "NaN:0x…" for a non-canonical NaN, see
 * docs/api.md), the output carries `parameters.non_finite`, binary outputs carry the exact IEEE
 * bits onnxruntime produced, and the prediction log counts them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { redisKeys, type PredictionLogEntry } from '@inferq/contract';
import { createRedisConnection } from '@inferq/redis';
import { PredictionLog } from '@inferq/predictions';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';

const OVERFLOWING = [3.4e38, -3.4e38, 3.4e38, 1e-45];
const WAIT_MS = 20_000;

describe('non-finite outputs (real Redis, worker, onnxruntime)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  /** What onnxruntime itself answers for the input: output name → raw bytes. */
  const direct = new Map<string, { datatype: string; bytes: Buffer }>();

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url);
    const session = await ort.InferenceSession.create(join(MODELS_DIR, 'iris', '1', 'model.onnx'), { intraOpNumThreads: 1 });
    const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(OVERFLOWING), [1, 4]) });
    for (const [name, tensor] of Object.entries(results)) {
      const data = tensor.data as Float32Array | BigInt64Array;
      direct.set(name, { datatype: tensor.type, bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
    }
    await session.release();
  });
  after(async () => {
    await stack?.close();
    await redis?.dispose();
  });

  it('marks NaN in JSON, returns the exact bits in binary, and counts them in the prediction log', async () => {
    const floats = [...direct].filter(([, o]) => o.datatype === 'float32');
    assert.ok(floats.length > 0);
    const nanCount = floats.reduce((n, [, o]) => n + Array.from(new Float32Array(o.bytes.buffer.slice(o.bytes.byteOffset, o.bytes.byteOffset + o.bytes.byteLength))).filter((v) => !Number.isFinite(v)).length, 0);
    assert.ok(nanCount > 0, 'the input makes the model output NaN (the case this test is about)');

    const submitted = await stack.app.inject({
      method: 'POST', url: '/v1/models/iris/predictions',
      payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: OVERFLOWING }] },
    });
    assert.equal(submitted.statusCode, 202, submitted.body);
    const { id } = submitted.json();

    const json = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` });
    const record = json.json();
    assert.equal(record.status, "completed", json.body);
    let marked = 0;
    for (const output of record.result.outputs as Array<{ name: string; datatype: string; data: unknown[]; parameters?: { non_finite?: number } }>) {
      assert.ok(!output.data.includes(null), `${output.name}: no value is silently null`);
      if (output.datatype !== 'FP32') continue;
      const strings = output.data.filter((v) => typeof v === 'string') as string[];
      for (const s of strings) assert.match(s, /^(NaN(:0x[0-9a-f]{8})?|-?Infinity)$/);
      assert.equal(output.parameters?.non_finite ?? 0, strings.length);
      marked += strings.length;
    }
    assert.equal(marked, nanCount);

    const binary = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}`, headers: { accept: 'application/octet-stream' } });
    assert.equal(binary.headers['content-type'], 'application/octet-stream');
    const headerLength = Number(binary.headers['inference-header-content-length']);
    const header = JSON.parse(binary.rawPayload.subarray(0, headerLength).toString());
    let offset = headerLength;
    for (const output of header.result.outputs as Array<{ name: string; parameters: { binary_data_size: number } }>) {
      const size = output.parameters.binary_data_size;
      const bytes = binary.rawPayload.subarray(offset, offset + size);
      offset += size;
      assert.ok(bytes.equals(direct.get(output.name)!.bytes), `${output.name}: binary output carries onnxruntime's exact bytes`);
    }

    const connection = createRedisConnection(redis.url, 'worker');
    try {
      const log = new PredictionLog(connection, redisKeys(stack.keyPrefix));
      let entry: PredictionLogEntry | undefined;
      const deadline = Date.now() + WAIT_MS;
      while (!entry && Date.now() < deadline) { // the log is written after the result, off the job's path: bounded polling
        for await (const e of log.read({ model: 'iris' })) if (e.id === id) entry = e;
        if (!entry) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(entry?.outputs?.nonFinite, nanCount);
    } finally {
      await connection.quit();
    }
  });
});
