/**
 * Property-based fuzzing of the REST and v2 routes with fast-check, through `app.inject` on a real
 * stack (real Redis, a real worker, access control on). Bodies are a mix of random JSON, random
 * bytes, corrupted JSON, odd content types, and valid iris / text-orientation requests with 1–3
 * mutations (wrong types, shapes, counts, nesting, huge and non-finite numbers, unicode names,
 * extra fields, prototype-pollution keys), plus valid requests. For every one:
 * - no 5xx, ever;
 * - every 4xx carries a registry code whose status is the HTTP status, in the route's format
 *   (`{error: {code, message}}`, v2: `{error, code}`);
 * - valid requests are accepted (202 / 200), and v2 results equal direct onnxruntime inference.
 * Afterwards every accepted prediction has completed (the worker never failed or stopped), and
 * fresh valid requests still get correct results.
 *
 * Reproduce with `FUZZ_SEED=<seed> FUZZ_RUNS=<n>` (the seed is printed); defaults are fixed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { DATATYPES, ERROR_CODES, isErrorCode } from '@inferq/contract';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, seededRandom, textLineImages } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 4_242_017);
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const KEY = 'fuzz-key-5f0e1d2c3b4a59687766554433221100ffeeddcc';

/** Placeholders replaced in the serialised JSON by literals JSON.stringify cannot write. */
const LITERALS: Readonly<Record<string, string>> = {
  '\u0000INF': '1e999', '\u0000NINF': '-1e999', '\u0000NAN': 'NaN', '\u0000BIG': '123456789012345678901234567890',
  // Nesting deeper than JSON.stringify can handle (a stack overflow anywhere would be a 500).
  '\u0000DEEPOBJ': `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  '\u0000DEEPARR': `${'['.repeat(20_000)}1${']'.repeat(20_000)}`,
};
const toJson = (value: unknown): string => {
  let text = JSON.stringify(value) ?? 'null';
  for (const [marker, literal] of Object.entries(LITERALS)) text = text.split(JSON.stringify(marker)).join(literal);
  return text;
};

/** Sets a key as an own property, even `__proto__` (plain assignment would set the prototype). */
const withKey = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

const deepArray = (depth: number, inner: unknown): unknown => {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

// ---- values -------------------------------------------------------------------------------------

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'inputs', 'data', 'shape', ''),
  fc.string({ maxLength: 12, unit: 'grapheme' }),
);
const hostileName = fc.oneof(
  fc.constantFrom('features', 'x', '__proto__', 'constructor', 'toString', '', 'FEATURES', 'features ', 'fe\u0000atures', '\u202efeatures'),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
  fc.string({ minLength: 200, maxLength: 400 }),
);
const weirdNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 3.4028235e38, 3.5e38, -0, 5e-324, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 0.1, -1),
  fc.constantFrom('\u0000INF', '\u0000NINF', '\u0000BIG'),
);
const weird: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: weirdNumber, weight: 4 },
  { arbitrary: fc.constantFrom('NaN', 'Infinity', '-Infinity', '1', '', '0x10', '1e999', 'true', null, true, false, {}, [], [[]], { valueOf: 1 }), weight: 3 },
  { arbitrary: fc.string({ maxLength: 16, unit: 'grapheme' }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 400 }).map((depth) => deepArray(depth, 1)), weight: 1 },
  { arbitrary: fc.constantFrom('\u0000DEEPOBJ', '\u0000DEEPARR'), weight: 1 },
);
const weirdShape = fc.oneof(
  fc.array(fc.oneof(fc.integer({ min: -2, max: 70 }), fc.constantFrom(0, 2 ** 31, 2 ** 53, 1e9, 4, 3, 48, 192)), { maxLength: 6 }),
  fc.array(weird, { maxLength: 5 }),
  weird,
);

// ---- requests -----------------------------------------------------------------------------------

type Model = 'iris' | 'text-orientation';
interface Generated {
  model: Model;
  body: string | Buffer;
  contentType: string | undefined;
  extraHeaders?: Record<string, string>;
  /** Valid by construction: must be accepted; `rows` lets the result be checked (iris). */
  valid?: { rows?: number[][] };
  kind: string;
}

const irisRow = fc.tuple(...Array.from({ length: 4 }, () => fc.double({ min: 0, max: 10, noNaN: true }))).map((row) => row.map(Math.fround));
const validIris = fc.record({
  rows: fc.array(irisRow, { minLength: 1, maxLength: 6 }),
  nested: fc.boolean(),
  id: fc.option(fc.string({ maxLength: 24, unit: 'grapheme' }), { nil: undefined }),
  outputs: fc.option(fc.subarray(['probabilities', 'label'], { minLength: 1 }), { nil: undefined }),
}).map(({ rows, nested, id, outputs }) => {
  const request: Record<string, unknown> = { inputs: [{ name: 'features', shape: [rows.length, 4], datatype: 'FP32', data: nested ? rows : rows.flat() }] };
  if (id !== undefined) request.id = id;
  if (outputs) request.outputs = outputs.map((name) => ({ name }));
  return { request, rows };
});
/** One text line image (27 648 values), made from a seed: fast-check arrays that long are slow. */
const validText = fc.integer().map((seed) => ({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: textLineImages(seededRandom(seed), 1) }] }));
/** A text-orientation request with the right form but a small data array (count mismatch unless mutated away). */
const smallText = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 32 })
  .map((data) => ({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data }] }));

type Request = Record<string, unknown> & { inputs: unknown };
type Mutate = (request: Request) => void;
const input0 = (request: Request): Record<string, unknown> | undefined => {
  const inputs = request.inputs;
  return Array.isArray(inputs) && typeof inputs[0] === 'object' && inputs[0] !== null ? inputs[0] as Record<string, unknown> : undefined;
};
const onInput = (f: (input: Record<string, unknown>) => void): Mutate => (request) => {
  const input = input0(request);
  if (input) f(input);
};

const mutation: fc.Arbitrary<Mutate> = fc.oneof(
  fc.oneof(fc.constantFrom(...DATATYPES), fc.string({ maxLength: 8 }), weird).map((value): Mutate => onInput((input) => { input.datatype = value; })),
  weirdShape.map((value): Mutate => onInput((input) => { input.shape = value; })),
  fc.tuple(fc.nat(), weird).map(([index, value]): Mutate => onInput((input) => {
    if (Array.isArray(input.data) && input.data.length > 0) {
      const flat = input.data.flat(Infinity);
      flat[index % flat.length] = value;
      input.data = flat;
    }
  })),
  fc.integer({ min: -6, max: 6 }).map((delta): Mutate => onInput((input) => {
    if (!Array.isArray(input.data)) return;
    const flat = input.data.flat(Infinity);
    input.data = delta < 0 ? flat.slice(0, Math.max(0, flat.length + delta)) : [...flat, ...Array.from({ length: delta }, () => 1.5)];
  })),
  fc.integer({ min: 1, max: 300 }).map((depth): Mutate => onInput((input) => { input.data = deepArray(depth, input.data); })),
  weird.map((value): Mutate => onInput((input) => { input.data = value; })),
  hostileName.map((value): Mutate => onInput((input) => { input.name = value; })),
  fc.tuple(fc.constantFrom('top', 'input', 'parameters', 'input-parameters'), hostileKey, fc.jsonValue({ maxDepth: 2 })).map(([where, key, value]): Mutate => (request) => {
    const holder = where === 'top' ? request
      : where === 'input' ? input0(request)
        : where === 'parameters' ? (request.parameters = {}) as Record<string, unknown>
          : (() => { const input = input0(request); return input ? (input.parameters = {}) as Record<string, unknown> : undefined; })();
    if (holder) withKey(holder, key, value);
  }),
  fc.constantFrom('inputs', 'name', 'shape', 'datatype', 'data').map((key): Mutate => (request) => {
    if (key === 'inputs') delete request.inputs;
    else onInput((input) => { delete input[key]; })(request);
  }),
  fc.oneof(fc.constant(0), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 500, max: 2_000 })).map((count): Mutate => (request) => {
    const input = input0(request);
    request.inputs = input ? Array.from({ length: count }, () => input) : [];
  }),
  weird.map((value): Mutate => (request) => { request.inputs = value; }),
  fc.oneof(weird, fc.string({ minLength: 250, maxLength: 300 })).map((value): Mutate => (request) => { request.id = value; }),
  fc.oneof(weird, fc.array(fc.record({ name: hostileName }), { maxLength: 4 }), fc.array(weird, { maxLength: 3 })).map((value): Mutate => (request) => { request.outputs = value; }),
  // Scheduling parameters: never a small valid timeout, which would let a prediction expire by design.
  fc.oneof(
    fc.record({ priority: fc.oneof(weird, fc.constantFrom('high', 'low', 'normal', 'urgent', 0, 1, 1000, 1001)) }),
    fc.record({ timeout_ms: fc.oneof(fc.constantFrom('100', null, -1, 0, 1.5, '\u0000INF', {}, [], 600_000, 1e12), fc.string({ maxLength: 6 })) }),
    weird,
  ).map((value): Mutate => (request) => { request.parameters = value; }),
);

const mutated = (base: fc.Arbitrary<Request>, model: Model) => fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([request, mutations]): Generated => {
  for (const mutate of mutations) mutate(request);
  return { model, body: toJson(request), contentType: 'application/json', kind: 'mutated' };
});

const corruptedJson = fc.tuple(validIris, fc.nat(), fc.nat(), fc.string({ maxLength: 3, unit: 'binary' })).map(([{ request }, at, length, insert]): Generated => {
  const text = toJson(request);
  const start = at % text.length;
  return { model: 'iris', body: text.slice(0, start) + insert + text.slice(start + (length % 8)), contentType: 'application/json', kind: 'corrupted' };
});

const contentTypes = fc.constantFrom(undefined, 'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/json; charset=latin1', 'APPLICATION/JSON', 'application/json-patch+json', 'application/octet-stream', 'application/xml', '*/*');
const oddContentType = fc.tuple(fc.oneof(validIris.map(({ request }) => toJson(request)), fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b))), contentTypes, fc.option(fc.oneof(fc.nat({ max: 400 }).map(String), fc.constantFrom('-1', 'abc', '1e3', '99999999999')), { nil: undefined }))
  .map(([body, contentType, headerLength]): Generated => ({
    model: 'iris', body, contentType, kind: 'content-type',
    ...(headerLength !== undefined ? { extraHeaders: { 'inference-header-content-length': headerLength } } : {}),
  }));

const generated: fc.Arbitrary<Generated> = fc.oneof(
  { weight: 10, arbitrary: validIris.map(({ request, rows }): Generated => ({ model: 'iris', body: toJson(request), contentType: 'application/json', valid: { rows }, kind: 'valid' })) },
  { weight: 1, arbitrary: validText.map((request): Generated => ({ model: 'text-orientation', body: toJson(request), contentType: 'application/json', valid: {}, kind: 'valid' })) },
  { weight: 40, arbitrary: mutated(validIris.map(({ request }) => request as Request), 'iris') },
  { weight: 10, arbitrary: mutated(smallText as fc.Arbitrary<Request>, 'text-orientation') },
  { weight: 10, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value): Generated => ({ model: 'iris', body: toJson(value), contentType: 'application/json', kind: 'random-json' })) },
  { weight: 4, arbitrary: fc.string({ maxLength: 300, unit: 'binary' }).map((body): Generated => ({ model: 'iris', body, contentType: 'application/json', kind: 'random-text' })) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): Generated => ({ model: 'iris', body: Buffer.from(bytes), contentType: 'application/json', kind: 'random-bytes' })) },
  { weight: 6, arbitrary: corruptedJson },
  { weight: 5, arbitrary: oddContentType },
);

const routes = fc.constantFrom('rest', 'rest-version', 'v2', 'v2-version');
const modelInPath = fc.oneof(
  { weight: 20, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('tulip', '__proto__', 'constructor', '..', 'iris ', 'IRIS', 'x'.repeat(200)), fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' })) },
);
const versionInPath = fc.oneof({ weight: 20, arbitrary: fc.constant('1') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0', '2', '-1', '01', 'constructor', 'latest'), fc.string({ minLength: 1, maxLength: 6 })) });
const auth = fc.oneof(
  { weight: 97, arbitrary: fc.constant<Record<string, string>>({ authorization: `Bearer ${KEY}` }) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({ 'x-api-key': KEY }) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary-ascii' }).map((s): Record<string, string> => ({ authorization: `Bearer ${s.replace(/[\r\n]/g, '')}` })) },
);

describe(`fuzzing REST and v2 (fast-check, seed ${SEED}, ${NUM_RUNS} runs, real Redis, BullMQ, onnxruntime)`, () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let iris: DirectModel;
  let text: DirectModel;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, {
      workers: 1,
      env: { API_KEYS: `fuzz:predict+read:${createHash('sha256').update(KEY).digest('hex')}`, BODY_LIMIT_BYTES: String(1024 * 1024), MAX_QUEUE_SIZE: '1000000' },
    });
    iris = await DirectModel.load('iris');
    text = await DirectModel.load('text-orientation');
  });
  after(async () => {
    await stack?.close();
    await redis?.dispose();
  });

  const accepted: Array<{ id: string; rows?: number[][] }> = [];
  const statuses = new Map<string, number>();

  const checkIris = async (outputs: Array<{ name: string; data: number[] }>, rows: number[][], context: string) => {
    const direct = await iris.run('features', rows.flat(), [rows.length, 4]);
    for (const output of outputs) assert.deepEqual(output.data, direct[output.name], `${context}: ${output.name}`);
  };

  it(`answers ${NUM_RUNS} generated requests without a 5xx, with registry codes, accepting the valid ones`, async () => {
    console.log(`fuzz: seed=${SEED} runs=${NUM_RUNS} (FUZZ_SEED / FUZZ_RUNS to change)`);
    const started = performance.now();
    await fc.assert(fc.asyncProperty(generated, routes, modelInPath, versionInPath, auth, async (g, route, pathModel, version, headers) => {
      const model = encodeURIComponent(pathModel ?? g.model);
      const url = route === 'rest' ? `/v1/models/${model}/predictions`
        : route === 'rest-version' ? `/v1/models/${model}/versions/${encodeURIComponent(version)}/predictions`
          : route === 'v2' ? `/v2/models/${model}/infer` : `/v2/models/${model}/versions/${encodeURIComponent(version)}/infer`;
      const response: LightMyRequestResponse = await stack.app.inject({
        method: 'POST', url, payload: g.body,
        headers: { ...headers, ...g.extraHeaders, ...(g.contentType !== undefined ? { 'content-type': g.contentType } : {}) },
      });
      const context = `${g.kind} ${route} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}; body ${String(g.body).slice(0, 300)}`;
      statuses.set(`${response.statusCode}`, (statuses.get(`${response.statusCode}`) ?? 0) + 1);
      assert.ok(response.statusCode < 500, context);
      const v2 = url.startsWith('/v2');
      if (response.statusCode >= 400) {
        const body = response.json();
        const code: unknown = v2 ? body.code : body.error?.code;
        assert.ok(isErrorCode(code), `no registry code: ${context}`);
        assert.equal(ERROR_CODES[code].status, response.statusCode, context);
        if (v2) assert.ok(typeof body.error === 'string' && Object.keys(body).length === 2, context);
        else assert.ok(typeof body.error.message === 'string' && Object.keys(body).length === 1 && Object.keys(body.error).length === 2, context);
        statuses.set(String(code), (statuses.get(String(code)) ?? 0) + 1);
      }
      const authorised = headers.authorization === `Bearer ${KEY}` || headers['x-api-key'] === KEY;
      if (g.valid && pathModel === undefined && (route === 'rest' || route === 'v2' || version === '1') && authorised) {
        assert.equal(response.statusCode, v2 ? 200 : 202, `valid request refused: ${context}`);
      }
      if (response.statusCode === 202) accepted.push({ id: response.json().id, ...(g.valid?.rows ? { rows: g.valid.rows } : {}) });
      if (response.statusCode === 200 && g.valid?.rows) await checkIris(response.json().outputs, g.valid.rows, context);
    }), { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true });
    const seconds = (performance.now() - started) / 1_000;
    console.log(`fuzz: ${NUM_RUNS} requests in ${seconds.toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  });

  it('completed every accepted prediction (the worker never failed) with correct results', async () => {
    assert.ok(accepted.length > NUM_RUNS / 50, `only ${accepted.length} accepted`);
    for (const { id, rows } of accepted) {
      const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=20000`, headers: { authorization: `Bearer ${KEY}` } });
      const record = response.json();
      assert.equal(record.status, 'completed', response.body.slice(0, 300));
      if (rows) await checkIris(record.result.outputs, rows, id);
    }
  });

  it('still serves fresh valid requests correctly afterwards', async () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < 10; i++) {
      const rows = Array.from({ length: 1 + (i % 4) }, () => Array.from({ length: 4 }, () => Math.fround(random() * 8)));
      const response = await stack.app.inject({
        method: 'POST', url: '/v2/models/iris/infer', headers: { authorization: `Bearer ${KEY}` },
        payload: { inputs: [{ name: 'features', shape: [rows.length, 4], datatype: 'FP32', data: rows }] },
      });
      assert.equal(response.statusCode, 200, response.body);
      await checkIris(response.json().outputs, rows, `after ${i}`);
    }
    const image = textLineImages(random, 1);
    const response = await stack.app.inject({
      method: 'POST', url: '/v2/models/text-orientation/infer', headers: { authorization: `Bearer ${KEY}` },
      payload: { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: image }] },
    });
    assert.equal(response.statusCode, 200, response.body.slice(0, 300));
    const direct = await text.run('x', image, [1, 3, 48, 192]);
    assert.deepEqual(response.json().outputs[0].data, direct[response.json().outputs[0].name]);
  });
});
