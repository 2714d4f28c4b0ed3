/**
 * Hostile input that rest-api.test.ts and websocket.test.ts do not already cover, against a real
 * Redis and the real API: values JSON cannot carry (1e999 → Infinity, "NaN"), absurd shapes,
 * nesting far deeper than any rank (arrays and objects, 100 000 levels), thousands of inputs,
 * prototype-pollution keys, odd content types and encodings, hostile ids and names, oversize
 * bodies on v2, and bad WebSocket frames. Each gets a 4xx (or a WebSocket error / close code)
 * with a stable code, nothing is queued, nothing is polluted, and the service keeps working.
 *
 * The stack runs without a worker, so "nothing queued" can be read off Redis exactly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { isErrorCode, type ErrorCode, type WsServerMessage } from '@inferq/contract';
import { createRedisConnection } from '@inferq/redis';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const BODY_LIMIT_BYTES = 2 * 1024 * 1024;
const DEEP = 100_000;

const deepArray = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
const deepObject = (depth: number, inner = '1') => `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
const irisInput = (fields: Record<string, string> = {}) => {
  const f = { name: '"features"', shape: '[1,4]', datatype: '"FP32"', data: '[5.1,3.5,1.4,0.2]', ...fields };
  return `{"name":${f.name},"shape":${f.shape},"datatype":${f.datatype},"data":${f.data}}`;
};
const irisBody = (fields: Record<string, string> = {}, extra = '') => `{${extra}"inputs":[${irisInput(fields)}]}`;
const VALID = irisBody();

/** A raw request (the body is sent byte for byte) and the answer it must get. */
interface Case {
  title: string;
  url?: string;
  body: string | Buffer;
  contentType?: string | null;
  status: number;
  code: ErrorCode;
  mentions?: RegExp;
}

const CASES: Case[] = [
  // Numbers JSON cannot carry: 1e999 parses to Infinity, NaN is not JSON at all.
  { title: '1e999 in data (Infinity after JSON.parse)', body: irisBody({ data: '[5.1,1e999,1.4,0.2]' }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[1\] is Infinity, expected a finite number/ },
  { title: '-1e999 in data', body: irisBody({ data: '[-1e999,3.5,1.4,0.2]' }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[0\] is -Infinity/ },
  { title: 'an FP32 overflow (1e39)', body: irisBody({ data: '[1e39,3.5,1.4,0.2]' }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[0\]/ },
  { title: '"NaN" string', body: irisBody({ data: '[5.1,"NaN",1.4,0.2]' }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[1\] is "NaN"/ },
  { title: '"Infinity" string', body: irisBody({ data: '[5.1,3.5,"Infinity",0.2]' }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[2\] is "Infinity"/ },
  { title: 'NaN literal (not JSON)', body: irisBody({ data: '[5.1,NaN,1.4,0.2]' }), status: 400, code: 'INVALID_JSON' },
  { title: 'a boolean in FP32', body: irisBody({ data: '[5.1,true,1.4,0.2]' }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[1\] is true/ },
  { title: 'an object in FP32', body: irisBody({ data: '[5.1,{"valueOf":1},1.4,0.2]' }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[1\] is \{"valueOf":1\}/ },
  // Shapes.
  { title: '1e999 in shape', body: irisBody({ shape: '[1e999,4]' }), status: 400, code: 'INVALID_REQUEST', mentions: /shape/ },
  { title: 'fractional dimension', body: irisBody({ shape: '[1.5,4]' }), status: 400, code: 'INVALID_REQUEST', mentions: /shape/ },
  { title: 'dimension beyond 2^53', body: irisBody({ shape: '[9007199254740993,4]' }), status: 400, code: 'INVALID_REQUEST', mentions: /shape/ },
  { title: 'string dimension', body: irisBody({ shape: '["1",4]' }), status: 400, code: 'INVALID_REQUEST', mentions: /shape/ },
  { title: 'rank 40', body: irisBody({ shape: `[${Array(40).fill(1).join(',')}]` }), status: 400, code: 'SHAPE_MISMATCH', mentions: /rank 40/ },
  { title: 'a billion rows declared, four values sent', body: irisBody({ shape: '[1000000000,4]' }), status: 400, code: 'TENSOR_TOO_LARGE' },
  { title: 'a huge image batch declared, one value sent', url: '/v1/models/text-orientation/predictions', body: `{"inputs":[{"name":"x","shape":[100000,3,48,192],"datatype":"FP32","data":[0]}]}`, status: 400, code: 'TENSOR_TOO_LARGE' },
  { title: 'element count just off', url: '/v1/models/text-orientation/predictions', body: `{"inputs":[{"name":"x","shape":[1,3,48,192],"datatype":"FP32","data":[${Array(3 * 48 * 192 - 1).fill(0).join(',')}]}]}`, status: 400, code: 'ELEMENT_COUNT_MISMATCH', mentions: /27647 values.*27648/ },
  // Nesting far deeper than any rank, where it is data and where it is not.
  { title: `data nested ${DEEP} arrays deep`, body: irisBody({ data: deepArray(DEEP) }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /nested deeper/ },
  { title: `a value that is an object ${DEEP} levels deep`, body: irisBody({ data: `[${deepObject(DEEP)},1,2,3]` }), status: 400, code: 'INVALID_TENSOR_DATA', mentions: /data\[0\] is \{…\}/ },
  { title: `an input name ${DEEP} arrays deep`, body: irisBody({ name: deepArray(DEEP) }), status: 400, code: 'INVALID_REQUEST' },
  { title: `a shape ${DEEP} arrays deep`, body: irisBody({ shape: deepArray(DEEP) }), status: 400, code: 'INVALID_REQUEST' },
  { title: `a priority ${DEEP} objects deep`, body: irisBody({}, `"parameters":{"priority":${deepObject(DEEP)}},`), status: 400, code: 'INVALID_REQUEST', mentions: /priority/ },
  // Counts.
  { title: '5000 inputs', body: `{"inputs":[${Array(5000).fill(irisInput()).join(',')}]}`, status: 400, code: 'UNKNOWN_INPUT', mentions: /5000 inputs/ },
  { title: '5000 inputs of other names', body: `{"inputs":[${Array.from({ length: 5000 }, (_, i) => irisInput({ name: `"in${i}"` })).join(',')}]}`, status: 400, code: 'UNKNOWN_INPUT' },
  { title: 'an id of 100 000 characters', body: irisBody({}, `"id":"${'x'.repeat(100_000)}",`), status: 400, code: 'INVALID_REQUEST', mentions: /"id"/ },
  // Prototype pollution: refused by the JSON parser, or treated as plain unknown names.
  { title: '__proto__ at the top', body: irisBody({}, '"__proto__":{"polluted":1},'), status: 400, code: 'INVALID_JSON' },
  { title: '__proto__ inside an input', body: `{"inputs":[{"__proto__":{"polluted":1},"name":"features","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}`, status: 400, code: 'INVALID_JSON' },
  { title: 'constructor.prototype in parameters', body: irisBody({}, '"parameters":{"constructor":{"prototype":{"polluted":1}}},'), status: 400, code: 'INVALID_JSON' },
  { title: `__proto__ ${DEEP} arrays deep`, body: irisBody({ data: deepArray(DEEP, '{"__proto__":{"polluted":1}}') }), status: 400, code: 'INVALID_JSON' },
  { title: 'an input named __proto__', body: irisBody({ name: '"__proto__"' }), status: 400, code: 'UNKNOWN_INPUT', mentions: /"__proto__"/ },
  { title: 'an input named constructor', body: irisBody({ name: '"constructor"' }), status: 400, code: 'UNKNOWN_INPUT' },
  { title: 'an output named toString', body: irisBody({}, '"outputs":[{"name":"toString"}],'), status: 400, code: 'UNKNOWN_OUTPUT' },
  { title: 'datatype __proto__', body: irisBody({ datatype: '"__proto__"' }), status: 400, code: 'INVALID_REQUEST' },
  { title: 'model named __proto__', url: '/v1/models/__proto__/predictions', body: VALID, status: 404, code: 'MODEL_NOT_FOUND' },
  { title: 'model named constructor (v2)', url: '/v2/models/constructor/infer', body: VALID, status: 404, code: 'MODEL_NOT_FOUND' },
  { title: 'version named constructor', url: '/v1/models/iris/versions/constructor/predictions', body: VALID, status: 404, code: 'VERSION_NOT_FOUND' },
  { title: 'version named hasOwnProperty (v2)', url: '/v2/models/iris/versions/hasOwnProperty/infer', body: VALID, status: 404, code: 'VERSION_NOT_FOUND' },
  // Names and ids.
  { title: 'model name with an emoji', url: '/v1/models/%F0%9F%98%80/predictions', body: VALID, status: 404, code: 'MODEL_NOT_FOUND' },
  { title: 'model name with an encoded path', url: '/v1/models/..%2F..%2Fetc%2Fpasswd/predictions', body: VALID, status: 404, code: 'MODEL_NOT_FOUND' },
  { title: 'model name with a NUL', url: '/v1/models/iris%00/predictions', body: VALID, status: 404, code: 'MODEL_NOT_FOUND' },
  { title: 'version -1', url: '/v1/models/iris/versions/-1/predictions', body: VALID, status: 404, code: 'VERSION_NOT_FOUND' },
  { title: 'version 01', url: '/v1/models/iris/versions/01/predictions', body: VALID, status: 404, code: 'VERSION_NOT_FOUND' },
  // Content types and encodings.
  { title: 'no content type', body: VALID, contentType: null, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { title: 'form encoding', body: 'inputs=1', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { title: 'multipart', body: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { title: 'application/jsonx', body: VALID, contentType: 'application/jsonx', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { title: 'text/html on v2', url: '/v2/models/iris/infer', body: VALID, contentType: 'text/html', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  // Invalid UTF-8 decodes to U+FFFD: a key nobody knows.
  { title: 'invalid UTF-8 in a key', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), status: 400, code: 'INVALID_REQUEST', mentions: /inputs/ },
  { title: 'random bytes as JSON', body: randomBytes(4096), status: 400, code: 'INVALID_JSON' },
  { title: 'truncated JSON', body: VALID.slice(0, -5), status: 400, code: 'INVALID_JSON' },
  { title: 'two JSON documents', body: `${VALID}${VALID}`, status: 400, code: 'INVALID_JSON' },
  { title: 'JSON null', body: 'null', status: 400, code: 'INVALID_REQUEST' },
  { title: 'JSON string', body: '"inputs"', status: 400, code: 'INVALID_REQUEST' },
  { title: 'whitespace only', body: ' \n\t ', status: 400, code: 'INVALID_JSON' },
  { title: 'oversize body on v2', url: '/v2/models/iris/infer', body: `{"inputs":[],"pad":"${'x'.repeat(BODY_LIMIT_BYTES)}"}`, status: 413, code: 'BODY_TOO_LARGE' },
];

describe('hostile input (real Redis and API, no worker)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let raw: Redis;
  const sockets: WebSocket[] = [];

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 0, env: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) } });
    raw = createRedisConnection(redis.url, 'worker');
  });
  after(async () => {
    for (const socket of sockets) socket.terminate();
    await stack?.close();
    await raw?.quit();
    await redis?.dispose();
  });

  describe('HTTP', () => {
    for (const c of CASES) {
      it(`${c.title} → ${c.status} ${c.code}`, async () => {
        const url = c.url ?? '/v1/models/iris/predictions';
        const headers: Record<string, string> = c.contentType === null ? {} : { 'content-type': c.contentType ?? 'application/json' };
        const response = await stack.app.inject({ method: 'POST', url, payload: c.body, headers });
        assert.equal(response.statusCode, c.status, response.body.slice(0, 300));
        const body = response.json();
        if (url.startsWith('/v2')) {
          assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
          assert.equal(body.code, c.code);
          if (c.mentions) assert.match(body.error, c.mentions);
        } else {
          assert.deepEqual(Object.keys(body), ['error']);
          assert.equal(body.error.code, c.code, response.body.slice(0, 300));
          if (c.mentions) assert.match(body.error.message, c.mentions);
        }
        assert.ok(response.body.length < 2_000, 'the answer stays small whatever the request');
      });
    }

    it('refuses hostile prediction ids and wait values with 400', async () => {
      for (const id of ['..%2F..%2Fetc%2Fpasswd', '%00', '%E2%80%AE', 'AAAAAAAAAAAAAAAAAAAAA%3D', '__proto__', 'a'.repeat(65), '%F0%9F%98%80'.repeat(5)]) {
        const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}` });
        assert.equal(response.statusCode, 400, id);
        assert.ok(['INVALID_PREDICTION_ID', 'INVALID_REQUEST'].includes(response.json().error.code), id);
      }
      for (const wait of ['-1', '1e9', '9999999999', 'NaN', '0x10', '1&wait=2']) {
        const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/AAAAAAAAAAAAAAAAAAAAAA?wait=${wait}` });
        assert.equal(response.statusCode, 400, wait);
        assert.equal(response.json().error.code, 'INVALID_REQUEST', wait);
      }
    });
  });

  describe('WebSocket', () => {
    const open = async () => {
      const socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
      sockets.push(socket);
      const messages: WsServerMessage[] = [];
      let closeCode: number | undefined;
      const waiters = new Set<() => void>();
      socket.on('message', (data: Buffer) => { messages.push(JSON.parse(data.toString('utf8'))); for (const w of waiters) w(); });
      socket.on('close', (code: number) => { closeCode = code; for (const w of waiters) w(); });
      const until = <T>(find: () => T | undefined): Promise<T> => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(messages).slice(0, 300)}`)), 10_000);
        const check = () => {
          const found = find();
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
      return { socket, messages, until, closeCode: () => closeCode };
    };

    it('answers hostile messages with an error with a registry code, and stays open', async () => {
      const client = await open();
      const sends: Array<[string | Buffer, ErrorCode]> = [
        [randomBytes(2048), 'INVALID_MESSAGE'],
        [`{"type":${deepArray(DEEP)}}`, 'INVALID_MESSAGE'],
        [`{"type":${deepObject(DEEP)}}`, 'INVALID_MESSAGE'],
        [`{"type":"predict","model":${deepArray(DEEP)}}`, 'INVALID_MESSAGE'],
        [`{"type":"predict","model":"iris","request":${irisBody({ data: `[${deepObject(DEEP)},1,2,3]` })}}`, 'INVALID_TENSOR_DATA'],
        [`{"type":"predict","model":"iris","request":${irisBody({ data: deepArray(DEEP) })}}`, 'INVALID_TENSOR_DATA'],
        [`{"type":"predict","model":"iris","request":${irisBody({ data: '[1e999,1,2,3]' })}}`, 'INVALID_TENSOR_DATA'],
        [`{"type":"predict","model":"iris","request":${irisBody({ shape: '[1000000000,4]' })}}`, 'TENSOR_TOO_LARGE'],
        [`{"type":"predict","model":"__proto__","request":${VALID}}`, 'MODEL_NOT_FOUND'],
        [`{"type":"predict","model":"iris","version":"constructor","request":${VALID}}`, 'VERSION_NOT_FOUND'],
        [`{"__proto__":{"type":"predict","model":"iris","request":${VALID}}}`, 'INVALID_MESSAGE'],
        [`{"type":"subscribe","ids":[${deepArray(1000, '"x"')}]}`, 'INVALID_MESSAGE'],
        [`{"type":"subscribe","ids":["__proto__"]}`, 'INVALID_PREDICTION_ID'],
        [`{"type":"predict","model":"iris","request":{"inputs":[${Array(5000).fill(irisInput()).join(',')}]}}`, 'UNKNOWN_INPUT'],
      ];
      for (const [index, [message, code]] of sends.entries()) {
        const from = client.messages.length;
        client.socket.send(message, { binary: Buffer.isBuffer(message) });
        const error = await client.until(() => client.messages.slice(from).find((m) => m.type === 'error'));
        assert.ok(error.type === 'error');
        assert.equal(error.error.code, code, `message ${index}: ${error.error.message}`);
        assert.ok(isErrorCode(error.error.code));
        assert.equal(client.closeCode(), undefined, `open after message ${index}`);
      }
      assert.equal(client.messages.filter((m) => m.type !== 'error').length, 0, 'nothing accepted');
    });

    it('closes with 1009 on a message over BODY_LIMIT_BYTES and 1007 on invalid UTF-8 text; the server goes on', async () => {
      const big = await open();
      big.socket.send(`{"type":"subscribe","ids":[],"pad":"${'x'.repeat(BODY_LIMIT_BYTES)}"}`);
      assert.equal(await big.until(() => big.closeCode()), 1009);

      const garbled = await open();
      garbled.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      assert.equal(await garbled.until(() => garbled.closeCode()), 1007);

      const next = await open();
      next.socket.send(JSON.stringify({ type: 'subscribe', ids: ['AAAAAAAAAAAAAAAAAAAAAA'] }));
      const error = await next.until(() => next.messages.find((m) => m.type === 'error'));
      assert.ok(error.type === 'error' && error.error.code === 'PREDICTION_NOT_FOUND');
    });
  });

  it('queued nothing, polluted nothing, and still accepts a valid request', async () => {
    const [, predictions] = await raw.scan('0', 'MATCH', `${stack.keyPrefix}:prediction:*`, 'COUNT', 100_000);
    assert.deepEqual(predictions, [], 'no prediction record');
    for (const model of ['iris', 'text-orientation']) {
      assert.equal(await raw.llen(`${stack.keyPrefix}:predict-${model}:wait`), 0);
      assert.equal(await raw.zcard(`${stack.keyPrefix}:predict-${model}:prioritized`), 0);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);

    const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: VALID, headers: { 'content-type': 'application/json' } });
    assert.equal(response.statusCode, 202, response.body);
    assert.equal((await stack.app.inject({ method: 'GET', url: `/v1/predictions/${response.json().id}` })).json().status, 'queued');
  });
});
