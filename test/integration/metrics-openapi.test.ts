/**
 * `/metrics` after known traffic (REST, v2, WebSocket, refusals) on a real Redis, BullMQ and
 * onnxruntime: queue depth per model and state, latency and batch-size histograms with the right
 * counts, submitted / rejected / finished counters. And `/openapi.json`: a well-formed OpenAPI 3
 * document that describes the prediction and v2 infer routes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 10_000;

/** A parsed Prometheus text exposition: samples plus the HELP/TYPE of each family. */
interface Exposition {
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
  types: Map<string, string>;
  helps: Set<string>;
}

function parseExposition(text: string): Exposition {
  const exposition: Exposition = { samples: [], types: new Map(), helps: new Set() };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') exposition.types.set(meta[2]!, meta[3]!);
      else exposition.helps.add(meta[2]!);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `well-formed sample line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    exposition.samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return exposition;
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when absent. */
function value(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

const irisBody = (data: number[]) => ({ inputs: [{ name: 'features', shape: [data.length / 4, 4], datatype: 'FP32', data }] });

describe('/metrics after known traffic (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let idle: InProcessStack;
  let socket: WebSocket | undefined;
  let exposition: Exposition;
  let contentType: string;
  let irisRowsTotal = 0;

  const REST_IRIS = 5;
  const V2_IRIS = 2;
  const WS_IRIS = 2;
  const REST_TEXT = 3;
  const IRIS_FINISHED = REST_IRIS + V2_IRIS + WS_IRIS;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 1 });
    idle = await startInProcessStack(redis.url, { workers: 0 });
    const random = seededRandom(51);
    const post = (url: string, payload: object) => stack.app.inject({ method: 'POST', url, payload });
    const waitFor = async (id: string) => {
      const polled = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` });
      assert.equal(polled.json().status, 'completed', polled.body);
    };

    const rest = await Promise.all(Array.from({ length: REST_IRIS }, (_, i) => {
      const data = irisRows(random, 1 + i);
      irisRowsTotal += 1 + i;
      return post('/v1/models/iris/predictions', irisBody(data));
    }));
    const text = await Promise.all(Array.from({ length: REST_TEXT }, () => post('/v1/models/text-orientation/predictions', {
      inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: textLineImages(random, 1).map((v) => Math.round(v * 100) / 100) }],
    })));
    for (const response of [...rest, ...text]) assert.equal(response.statusCode, 202, response.body);
    await Promise.all([...rest, ...text].map((r) => waitFor(r.json().id)));

    for (let i = 0; i < V2_IRIS; i++) {
      irisRowsTotal += 2;
      const response = await post('/v2/models/iris/infer', irisBody(irisRows(random, 2)));
      assert.equal(response.statusCode, 200, response.body);
    }

    socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    const open = socket;
    const results = new Promise<void>((resolve) => {
      let count = 0;
      open.on('message', (data: Buffer) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'result' && ++count === WS_IRIS) resolve();
      });
    });
    for (let i = 0; i < WS_IRIS; i++) {
      irisRowsTotal += 1;
      open.send(JSON.stringify({ type: 'predict', model: 'iris', request: irisBody(irisRows(random, 1)) }));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([results, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no WebSocket results')), WAIT_MS); })]);
    clearTimeout(timer);

    const refused = [
      await post('/v1/models/iris/predictions', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'INT32', data: [1, 2, 3, 4] }] }),
      await post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP64', data: [1, 2, 3, 4] }] }),
      await post('/v1/models/tulip/predictions', irisBody([1, 2, 3, 4])),
    ];
    assert.deepEqual(refused.map((r) => r.statusCode), [400, 400, 404]);

    // A stack without a worker on the same Redis: its jobs wait, and only its /metrics shows them.
    for (let i = 0; i < 3; i++) {
      const response = await idle.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: irisBody(irisRows(random, 1)) });
      assert.equal(response.statusCode, 202);
    }

    const scraped = await stack.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(scraped.statusCode, 200);
    contentType = String(scraped.headers['content-type']);
    exposition = parseExposition(scraped.body);
  });
  after(async () => {
    socket?.terminate();
    await idle?.close();
    await stack?.close();
    await redis?.dispose();
  });

  it('is Prometheus text with HELP and TYPE for every inferq family', () => {
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    for (const [family, type] of [
      ['inferq_queue_depth', 'gauge'], ['inferq_predictions_submitted_total', 'counter'], ['inferq_predictions_rejected_total', 'counter'],
      ['inferq_predictions_finished_total', 'counter'], ['inferq_http_requests_total', 'counter'], ['inferq_queue_wait_seconds', 'histogram'],
      ['inferq_inference_seconds', 'histogram'], ['inferq_end_to_end_seconds', 'histogram'], ['inferq_batch_size', 'histogram'],
    ] as const) {
      const base = family.replace(/_total$/, '');
      assert.equal(exposition.types.get(family) ?? exposition.types.get(base), type, family);
      assert.ok(exposition.helps.has(family) || exposition.helps.has(base), `HELP ${family}`);
    }
    assert.ok(exposition.samples.some((s) => s.name.startsWith('inferq_api_process_')), 'default process metrics under inferq_api_');
  });

  it('inferq_queue_depth has every state of every model, and counts only its own prefix', async () => {
    for (const model of ['iris', 'text-orientation']) {
      for (const state of ['waiting', 'active', 'delayed', 'prioritized']) {
        assert.equal(value(exposition, 'inferq_queue_depth', { model, state }), 0, `${model} ${state}`);
      }
    }
    const idleExposition = parseExposition((await idle.app.inject({ method: 'GET', url: '/metrics' })).body);
    // Every prediction job carries a BullMQ priority, so queued jobs count as `prioritized`.
    const queued = (model: string) => (value(idleExposition, 'inferq_queue_depth', { model, state: 'waiting' }) ?? 0) + (value(idleExposition, 'inferq_queue_depth', { model, state: 'prioritized' }) ?? 0);
    assert.equal(queued('iris'), 3);
    assert.equal(queued('text-orientation'), 0);
  });

  it('counts submissions by transport, refusals by code, and finished predictions', () => {
    const submitted = (model: string, transport: string) => value(exposition, 'inferq_predictions_submitted_total', { model, version: '1', transport });
    assert.equal(submitted('iris', 'rest'), REST_IRIS);
    assert.equal(submitted('iris', 'v2'), V2_IRIS);
    assert.equal(submitted('iris', 'ws'), WS_IRIS);
    assert.equal(submitted('text-orientation', 'rest'), REST_TEXT);
    assert.equal(value(exposition, 'inferq_predictions_rejected_total', { code: 'DATATYPE_MISMATCH' }), 2);
    assert.equal(value(exposition, 'inferq_predictions_rejected_total', { code: 'MODEL_NOT_FOUND' }), 1);
    assert.equal(value(exposition, 'inferq_predictions_finished_total', { model: 'iris', version: '1', status: 'completed' }), IRIS_FINISHED);
    assert.equal(value(exposition, 'inferq_predictions_finished_total', { model: 'text-orientation', version: '1', status: 'completed' }), REST_TEXT);
    assert.equal(value(exposition, 'inferq_predictions_finished_total', { model: 'iris', version: '1', status: 'failed' }), undefined);
    // The other stack's submissions are not this API's.
    assert.equal(exposition.samples.filter((s) => s.name === 'inferq_predictions_submitted_total').reduce((n, s) => n + s.value, 0), IRIS_FINISHED + REST_TEXT);
  });

  it('has latency and batch-size histograms with one observation per finished prediction', () => {
    for (const [model, count] of [['iris', IRIS_FINISHED], ['text-orientation', REST_TEXT]] as const) {
      const labels = { model, version: '1' };
      for (const family of ['inferq_queue_wait_seconds', 'inferq_inference_seconds', 'inferq_end_to_end_seconds', 'inferq_batch_size']) {
        assert.equal(value(exposition, `${family}_count`, labels), count, `${family} ${model}`);
        assert.equal(value(exposition, `${family}_bucket`, { ...labels, le: '+Inf' }), count, `${family} ${model} +Inf bucket`);
        const buckets = exposition.samples.filter((s) => s.name === `${family}_bucket` && s.labels.model === model).map((s) => s.value);
        assert.ok(buckets.length > 5 && buckets.every((v, i) => i === 0 || v >= buckets[i - 1]!), `${family} ${model}: cumulative buckets`);
      }
      assert.ok(value(exposition, 'inferq_end_to_end_seconds_sum', labels)! > 0, model);
      assert.ok(value(exposition, 'inferq_inference_seconds_sum', labels)! > 0, model);
    }
    // Each prediction observes the rows of its batch, its own included.
    assert.ok(value(exposition, 'inferq_batch_size_sum', { model: 'iris', version: '1' })! >= irisRowsTotal);
    assert.ok(value(exposition, 'inferq_end_to_end_seconds_sum', { model: 'iris', version: '1' })! >= value(exposition, 'inferq_queue_wait_seconds_sum', { model: 'iris', version: '1' })!);
  });

  it('counts HTTP requests by route pattern and status', () => {
    const http = (method: string, route: string, status: string) => value(exposition, 'inferq_http_requests_total', { method, route, status });
    assert.equal(http('POST', '/v1/models/:model/predictions', '202'), REST_IRIS + REST_TEXT);
    assert.equal(http('POST', '/v1/models/:model/predictions', '400'), 1);
    assert.equal(http('POST', '/v1/models/:model/predictions', '404'), 1);
    assert.equal(http('POST', '/v2/models/:model/infer', '200'), V2_IRIS);
    assert.equal(http('GET', '/v1/predictions/:id', '200'), REST_IRIS + REST_TEXT);
  });
});

/** Structural checks of an OpenAPI 3.0 document (the parts a client generator relies on). */
function assertOpenApi3(doc: Record<string, unknown>): void {
  assert.match(String(doc.openapi), /^3\.\d+\.\d+$/, 'openapi version');
  const info = doc.info as Record<string, unknown>;
  assert.equal(typeof info?.title, 'string');
  assert.equal(typeof info?.version, 'string');
  const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
  assert.ok(paths && typeof paths === 'object');
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    assert.match(path, /^\//, path);
    assert.doesNotMatch(path, /:/, `${path}: templated with {param}, not :param`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, operation] of Object.entries(item)) {
      if (['parameters', 'summary', 'description', 'servers'].includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(methods.has(method), `${where}: HTTP method`);
      const parameters = (operation.parameters ?? []) as Array<Record<string, unknown>>;
      for (const p of parameters) {
        assert.equal(typeof p.name, 'string', where);
        assert.ok(['query', 'header', 'path', 'cookie'].includes(String(p.in)), `${where}: parameter ${String(p.name)} in`);
        assert.ok(p.schema || p.content, `${where}: parameter ${String(p.name)} has a schema`);
        if (p.in === 'path') {
          assert.equal(p.required, true, `${where}: path parameter ${String(p.name)} is required`);
          assert.ok(templated.includes(String(p.name)), `${where}: path parameter ${String(p.name)} is in the template`);
        }
      }
      for (const name of templated) {
        assert.ok(parameters.some((p) => p.in === 'path' && p.name === name), `${where}: {${name}} is declared`);
      }
      const responses = operation.responses as Record<string, Record<string, unknown>>;
      assert.ok(responses && Object.keys(responses).length > 0, `${where}: responses`);
      for (const [status, response] of Object.entries(responses)) {
        assert.match(status, /^(default|[1-5](\d\d|XX))$/, `${where}: status key ${status}`);
        assert.equal(typeof response.description, 'string', `${where} ${status}: description`);
      }
      if (operation.requestBody) {
        const content = (operation.requestBody as { content?: Record<string, unknown> }).content;
        assert.ok(content && Object.keys(content).length > 0, `${where}: requestBody content`);
      }
      if (typeof operation.operationId === 'string') {
        assert.ok(!operationIds.has(operation.operationId), `${where}: unique operationId`);
        operationIds.add(operation.operationId);
      }
    }
  }
  // Every $ref resolves inside the document; schema objects use only OpenAPI 3.0 forms.
  const resolve = (ref: string) => ref.slice(2).split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => visit(child, `${where}/${i}`));
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.$ref === 'string') {
      assert.match(record.$ref, /^#\/components\//, `${where}: local $ref`);
      assert.ok(resolve(record.$ref) !== undefined, `${where}: $ref ${record.$ref} resolves`);
    }
    assert.ok(!('$id' in record) && !('$schema' in record), `${where}: no JSON-Schema-only keywords`);
    if ('type' in record && where.includes('schema')) assert.equal(typeof record.type, 'string', `${where}: type is one string in OpenAPI 3.0`);
    for (const [key, child] of Object.entries(record)) {
      if (key === 'example' || key === 'examples' || key === 'enum') continue;
      visit(child, `${where}/${key}`);
    }
  };
  visit(doc, '#');
}

describe('/openapi.json (real API app)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let doc: Record<string, unknown>;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 0 });
    const response = await stack.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    doc = response.json();
  });
  after(async () => {
    await stack?.close();
    await redis?.dispose();
  });

  it('is a well-formed OpenAPI 3 document', () => {
    assertOpenApi3(doc);
    assert.equal((doc.info as { title: string }).title, 'inferq');
  });

  it('describes the REST prediction routes with their request, 202 and error schemas', () => {
    const paths = doc.paths as Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
    const submit = paths['/v1/models/{model}/predictions']?.post;
    assert.ok(submit, 'POST /v1/models/{model}/predictions');
    assert.equal(submit.requestBody?.content['application/json']?.schema.$ref, '#/components/schemas/InferenceRequest');
    assert.equal(submit.responses['202']?.content?.['application/json']?.schema.$ref, '#/components/schemas/PredictionAccepted');
    assert.equal(submit.responses['4XX']?.content?.['application/json']?.schema.$ref, '#/components/schemas/Error');
    assert.ok(paths['/v1/models/{model}/versions/{version}/predictions']?.post);
    const read = paths['/v1/predictions/{id}']?.get;
    assert.ok(read);
    assert.equal(read.responses['200']?.content?.['application/json']?.schema.$ref, '#/components/schemas/Prediction');
    assert.ok(read.parameters?.some((p) => p.name === 'wait' && p.in === 'query'));
    assert.ok(paths['/v1/models']?.get);
  });

  it('describes the v2 infer, metadata and health routes with the v2 error schema', () => {
    const paths = doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
    const infer = paths['/v2/models/{model}/infer']?.post;
    assert.ok(infer, 'POST /v2/models/{model}/infer');
    assert.equal(infer.requestBody?.content['application/json']?.schema.$ref, '#/components/schemas/InferenceRequest');
    assert.equal(infer.responses['200']?.content?.['application/json']?.schema.$ref, '#/components/schemas/InferenceResponse');
    assert.equal(infer.responses['5XX']?.content?.['application/json']?.schema.$ref, '#/components/schemas/V2Error');
    assert.ok(paths['/v2/models/{model}/versions/{version}/infer']?.post);
    assert.equal(paths['/v2/models/{model}']?.get?.responses['200']?.content?.['application/json']?.schema.$ref, '#/components/schemas/ModelMetadata');
    for (const path of ['/v2', '/v2/health/live', '/v2/health/ready', '/v2/models/{model}/ready', '/metrics']) assert.ok(paths[path]?.get, path);
    assert.equal(paths['/openapi.json'], undefined, 'the document itself is hidden');
  });

  it('lists every error code in the Error schemas', () => {
    const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, { properties?: Record<string, { enum?: string[] }>; enum?: string[] }> }> }).schemas;
    const restCodes = schemas.Error?.properties.error?.properties?.code?.enum ?? [];
    const v2Codes = schemas.V2Error?.properties.code?.enum ?? [];
    for (const code of ['INVALID_JSON', 'BODY_TOO_LARGE', 'MODEL_NOT_FOUND', 'INFERENCE_TIMEOUT', 'QUEUE_UNAVAILABLE']) {
      assert.ok(restCodes.includes(code), code);
      assert.ok(v2Codes.includes(code), code);
    }
  });
});
