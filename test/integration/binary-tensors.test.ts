/**
 * Binary tensors end to end: the Open Inference Protocol binary data extension (REST and
 * WebSocket), base64 data, and binary results on request; every answer equals direct inference.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WsServerMessage } from '@inferq/contract';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, seededRandom, textLineImages } from '../helpers/models.js';

const binaryBody = (header: object, ...tensors: Buffer[]) => {
  const json = Buffer.from(JSON.stringify(header));
  return { payload: Buffer.concat([json, ...tensors]), headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.byteLength) } };
};

/** Splits a binary-extension answer into its JSON header and raw bytes. */
const splitAnswer = (raw: Buffer, headerLength: number) => ({ header: JSON.parse(raw.subarray(0, headerLength).toString()), bytes: raw.subarray(headerLength) });

describe('binary tensors (real Redis, worker, onnxruntime)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let text: DirectModel;
  const image = Float32Array.from(textLineImages(seededRandom(5), 2));
  const imageBytes = Buffer.from(image.buffer);

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url);
    text = await DirectModel.load('text-orientation');
  });
  after(async () => {
    await stack?.close();
    await redis?.dispose();
  });

  it('accepts a binary-extension request over REST and returns a binary response from /v2 infer', async () => {
    const { payload, headers } = binaryBody({
      inputs: [{ name: 'x', shape: [2, 3, 48, 192], datatype: 'FP32', parameters: { binary_data_size: imageBytes.byteLength } }],
      parameters: { binary_data_output: true },
    }, imageBytes);
    const res = await stack.app.inject({ method: 'POST', url: '/v2/models/text-orientation/infer', payload, headers });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    const { header, bytes } = splitAnswer(res.rawPayload, Number(res.headers['inference-header-content-length']));
    const output = header.outputs[0];
    assert.equal(output.data, undefined);
    assert.equal(output.parameters.binary_data_size, bytes.byteLength);
    const values = Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    const direct = await text.run('x', Array.from(image), [2, 3, 48, 192]);
    assert.deepEqual(values, direct['softmax_0.tmp_0']);
  });

  it('accepts base64 data and answers GET with Accept: application/octet-stream in binary', async () => {
    const submitted = await stack.app.inject({
      method: 'POST', url: '/v1/models/text-orientation/predictions',
      payload: { inputs: [{ name: 'x', shape: [2, 3, 48, 192], datatype: 'FP32', data: imageBytes.toString('base64') }] },
    });
    assert.equal(submitted.statusCode, 202, submitted.body);
    const { id } = submitted.json();
    const json = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=10000` });
    assert.equal(json.json().status, 'completed');
    const direct = await text.run('x', Array.from(image), [2, 3, 48, 192]);
    assert.deepEqual(json.json().result.outputs[0].data, direct['softmax_0.tmp_0']);

    const binary = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}`, headers: { accept: 'application/octet-stream' } });
    assert.equal(binary.headers['content-type'], 'application/octet-stream');
    const { header, bytes } = splitAnswer(binary.rawPayload, Number(binary.headers['inference-header-content-length']));
    assert.equal(header.status, 'completed');
    assert.equal(header.id, id);
    assert.deepEqual(Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))), direct['softmax_0.tmp_0']);
  });

  it('accepts binary WebSocket frames: [u32 JSON length][JSON][tensor bytes]', async () => {
    const socket = await stack.app.injectWS('/v1/ws');
    try {
      const messages: WsServerMessage[] = [];
      const done = new Promise<void>((resolve) => socket.on('message', (raw: Buffer) => {
        messages.push(JSON.parse(raw.toString()) as WsServerMessage);
        if (messages.some((m) => m.type === 'result' || m.type === 'error')) resolve();
      }));
      const message = Buffer.from(JSON.stringify({
        type: 'predict', model: 'text-orientation', ref: 'b1',
        request: { inputs: [{ name: 'x', shape: [2, 3, 48, 192], datatype: 'FP32', parameters: { binary_data_size: imageBytes.byteLength } }] },
      }));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(message.byteLength);
      socket.send(Buffer.concat([length, message, imageBytes]), { binary: true });
      await done;
      const result = messages.find((m) => m.type === 'result');
      assert.ok(result && result.status === 'completed', JSON.stringify(messages));
      const direct = await text.run('x', Array.from(image), [2, 3, 48, 192]);
      assert.deepEqual(result.result.outputs[0]!.data, direct['softmax_0.tmp_0']);
    } finally {
      socket.terminate();
    }
  });

  it('answers malformed binary requests with 4xx codes and queues nothing', async () => {
    const cases = [
      { headers: { 'content-type': 'application/octet-stream' }, payload: imageBytes, code: 'INVALID_REQUEST' },
      { ...binaryBody({ inputs: [{ name: 'x', shape: [2, 3, 48, 192], datatype: 'FP32', parameters: { binary_data_size: 100 } }] }, imageBytes), code: 'ELEMENT_COUNT_MISMATCH' },
      { ...binaryBody({ inputs: [{ name: 'x', shape: [2, 3, 48, 192], datatype: 'FP32', parameters: { binary_data_size: imageBytes.byteLength + 8 } }] }, imageBytes), code: 'ELEMENT_COUNT_MISMATCH' },
      { ...binaryBody({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', parameters: { binary_data_size: 4 * 3 * 48 * 192 } }] }, Buffer.from(new Float32Array(3 * 48 * 192).fill(Number.NaN).buffer)), code: 'INVALID_TENSOR_DATA' },
    ];
    for (const c of cases) {
      const res = await stack.app.inject({ method: 'POST', url: '/v1/models/text-orientation/predictions', payload: c.payload, headers: c.headers });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, c.code, res.body);
    }
  });
});
