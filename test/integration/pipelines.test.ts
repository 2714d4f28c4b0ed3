/**
 * Pipelines end to end against a real Redis, BullMQ and onnxruntime: `iris-named` over REST,
 * WebSocket and v2 equals iris run by hand plus the labels step; bad named features are a 400
 * naming the field; pipelines are listed like models; a custom step that throws or runs over its
 * limit fails the prediction naming the step; concurrent requests share the model step's
 * batches; a parallel branch merged by mean equals the mean computed by hand.
 *
 * The repository is a temporary copy: iris (with a queue delay, so concurrent steps batch
 * predictably), iris-named, and test pipelines with custom step modules.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PredictionRecord, WsServerMessage } from '@inferq/contract';
import sharp from 'sharp';
import { imageToChw, labelRows } from '@inferq/processing';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const LABELS = ['setosa', 'versicolor', 'virginica'];
const WAIT_MS = 20_000;

/** A temporary repository: iris, iris-named, and the test pipelines. */
function buildRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'inferq-pipelines-'));
  mkdirSync(join(root, 'iris', '1'), { recursive: true });
  copyFileSync(join(MODELS_DIR, 'iris', '1', 'model.onnx'), join(root, 'iris', '1', 'model.onnx'));
  // A short queue delay: concurrent pipeline requests reach the iris step within it and share a batch.
  const irisConfig = JSON.parse(readFileSync(join(MODELS_DIR, 'iris', '1', 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(root, 'iris', '1', 'config.json'), JSON.stringify({ ...irisConfig, maxQueueDelayMs: 50 }));
  mkdirSync(join(root, 'iris-named', '1'), { recursive: true });
  copyFileSync(join(MODELS_DIR, 'iris-named', '1', 'pipeline.json'), join(root, 'iris-named', '1', 'pipeline.json'));

  const features = { name: 'features', datatype: 'FP32', shape: [-1, 4] };
  const addPipeline = (name: string, pipeline: unknown, modules: Record<string, string>) => {
    const dir = join(root, name, '1');
    mkdirSync(join(dir, 'steps'), { recursive: true });
    writeFileSync(join(dir, 'pipeline.json'), JSON.stringify(pipeline));
    for (const [file, code] of Object.entries(modules)) writeFileSync(join(dir, 'steps', file), code);
  };
  addPipeline('throwing', {
    inputs: [features], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 3], from: 'broken.output' }],
    steps: [
      { id: 'iris', model: 'iris', inputs: { features: '$input.features' } },
      { id: 'broken', module: './steps/broken.ts', inputs: { input: 'iris.probabilities' } },
    ],
  }, {
    // A TypeScript step (the worker runs under tsx), typed by the published interface.
    'broken.ts': [
      "import type { ProcessingStep } from '@inferq/processing';",
      'const step: ProcessingStep = { run() { throw new Error("calibration table is empty"); } };',
      'export default step;',
    ].join('\n'),
  });
  addPipeline('slow', {
    inputs: [features], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 4], from: 'sleepy.output' }],
    steps: [{ id: 'sleepy', module: './steps/sleepy.mjs', timeoutMs: 200, inputs: { input: '$input.features' } }],
  }, {
    'sleepy.mjs': [
      'export function createStep() {',
      '  return { run: (inputs, { signal }) => new Promise((resolve) => {',
      '    const timer = setTimeout(() => resolve({ output: inputs.input }), 5000);',
      '    signal.addEventListener("abort", () => clearTimeout(timer));',
      '  }) };',
      '}',
    ].join('\n'),
  });
  // Two branches: iris on the features and iris on the features scaled by 1.1, merged by mean.
  addPipeline('ensemble', {
    inputs: [features], outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3], from: 'mean.output' }],
    steps: [
      { id: 'plain', model: 'iris', inputs: { features: '$input.features' } },
      { id: 'scale', module: './steps/scale.mjs', options: { factor: 1.1 }, inputs: { input: '$input.features' } },
      { id: 'scaled', model: 'iris', inputs: { features: 'scale.output' } },
      { id: 'mean', processor: 'merge', options: { method: 'mean' }, inputs: { a: 'plain.probabilities', b: 'scaled.probabilities' } },
    ],
  }, {
    'scale.mjs': [
      'export function createStep(options) {',
      '  return { run: ({ input }) => ({ output: { ...input, data: input.data.map((v) => v * options.factor) } }) };',
      '}',
    ].join('\n'),
  });
  // Images: decode + resize + normalise (the image processor), then the orientation classifier.
  const orient = join(root, 'orient', '1');
  mkdirSync(orient, { recursive: true });
  writeFileSync(join(orient, 'pipeline.json'), JSON.stringify({
    inputs: [{ name: 'picture', datatype: 'BYTES', shape: [-1], format: 'image' }],
    outputs: [{ name: 'output', datatype: 'BYTES', shape: [-1], from: 'labels.output' }],
    steps: [
      { id: 'pre', processor: 'image', options: IMAGE_OPTIONS, inputs: { input: '$input.picture' } },
      { id: 'cls', model: 'text-orientation', inputs: { x: 'pre.output' } },
      { id: 'labels', processor: 'labels', options: { labels: ['0', '180'] }, inputs: { input: 'cls.softmax_0.tmp_0' } },
    ],
  }));
  mkdirSync(join(root, 'text-orientation', '1'), { recursive: true });
  for (const file of ['model.onnx', 'config.json']) copyFileSync(join(MODELS_DIR, 'text-orientation', '1', file), join(root, 'text-orientation', '1', file));
  return root;
}

const IMAGE_OPTIONS = { width: 192, height: 48, fit: 'contain', padValue: 0, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

describe('pipelines', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let iris: DirectModel;
  let orientation: DirectModel;
  let root: string;

  before(async () => {
    root = buildRepository();
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { env: { MODEL_REPOSITORY: root, MAX_IMAGE_PIXELS: '100000' } });
    iris = await DirectModel.load('iris');
    orientation = await DirectModel.load('text-orientation');
  });
  after(async () => {
    await stack?.close();
    await redis?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const post = (url: string, payload: unknown) => stack.app.inject({ method: 'POST', url, payload: payload as object });
  const named = (values: number[]) => Object.fromEntries(FEATURES.map((f, i) => [f, values[i]!]));
  const request = (rows: Array<Record<string, unknown>>) => ({ inputs: [{ name: 'features', datatype: 'BYTES', shape: [rows.length], data: rows }] });
  const finished = async (id: string): Promise<PredictionRecord> => {
    const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` });
    assert.equal(response.statusCode, 200, response.body);
    const record = response.json<PredictionRecord>();
    assert.notEqual(record.status, 'queued', 'finished in time');
    assert.notEqual(record.status, 'running', 'finished in time');
    return record;
  };
  /** What iris-named must answer: iris by hand, then the labels step's rule. */
  const byHand = async (flat: number[]) => {
    const out = await iris.run('features', flat, [flat.length / 4, 4]);
    return labelRows(Float32Array.from(out.probabilities!), flat.length / 4, LABELS);
  };
  const decode = (record: PredictionRecord) => {
    const output = record.result!.outputs.find((o) => o.name === 'output')!;
    assert.equal(output.datatype, 'BYTES');
    return (output.data as string[]).map((s) => JSON.parse(s) as unknown);
  };

  it('iris-named over REST equals iris by hand + labels, with step timings', async () => {
    const flat = irisRows(seededRandom(7), 3);
    const rows = [0, 1, 2].map((r) => named(flat.slice(r * 4, r * 4 + 4)));
    const accepted = await post('/v1/models/iris-named/predictions', request(rows));
    assert.equal(accepted.statusCode, 202, accepted.body);
    const record = await finished(accepted.json<{ id: string }>().id);
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    assert.deepEqual(decode(record), JSON.parse(JSON.stringify(await byHand(flat))));
    assert.deepEqual(record.timings.steps?.map((s) => [s.id, s.kind]).sort(), [['iris', 'model'], ['labels', 'processor'], ['tabular', 'processor']]);
    assert.equal(record.result!.outputs[0]!.shape[0], 3);
  });

  it('iris-named over v2 (rows as JSON strings) and over WebSocket give the same answer', async () => {
    const flat = irisRows(seededRandom(8), 2);
    const rows = [0, 1].map((r) => named(flat.slice(r * 4, r * 4 + 4)));
    const expected = JSON.parse(JSON.stringify(await byHand(flat))) as unknown;
    const v2 = await post('/v2/models/iris-named/infer', { inputs: [{ name: 'features', datatype: 'BYTES', shape: [2], data: rows.map((r) => JSON.stringify(r)) }] });
    assert.equal(v2.statusCode, 200, v2.body);
    const v2Output = v2.json<{ outputs: Array<{ name: string; data: string[] }> }>().outputs[0]!;
    assert.deepEqual(v2Output.data.map((s) => JSON.parse(s) as unknown), expected);

    const socket = await stack.app.injectWS('/v1/ws');
    try {
      const result = new Promise<WsServerMessage>((resolve) => {
        socket.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString('utf8')) as WsServerMessage;
          if (message.type === 'result') resolve(message);
        });
      });
      socket.send(JSON.stringify({ type: 'predict', model: 'iris-named', ref: 'r1', request: request(rows) }));
      const message = await result;
      assert.ok(message.type === 'result' && message.status === 'completed', JSON.stringify(message));
      assert.deepEqual(decode(message as unknown as PredictionRecord), expected);
    } finally {
      socket.terminate();
    }
  });

  it('answers 400 naming the field for a missing, an extra or a non-numeric feature', async () => {
    const good = named([5.1, 3.5, 1.4, 0.2]);
    const { petal_width: _gone, ...missing } = good;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [missing, 'MISSING_FEATURE', /"petal_width" is missing/],
      [{ ...good, colour: 3 }, 'UNKNOWN_FEATURE', /"colour" is not a feature/],
      [{ ...good, sepal_width: 'wide' }, 'INVALID_FEATURE', /"sepal_width" must be a finite number/],
    ];
    for (const [row, code, message] of cases) {
      for (const body of [request([good, row]), { inputs: [{ name: 'features', datatype: 'BYTES', shape: [2], data: [JSON.stringify(good), JSON.stringify(row)] }] }]) {
        const response = await post('/v1/models/iris-named/predictions', body);
        assert.equal(response.statusCode, 400, response.body);
        const { error } = response.json<{ error: { code: string; message: string } }>();
        assert.equal(error.code, code);
        assert.match(error.message, message);
        assert.match(error.message, /(data\[1\]|row 1):/, 'names the row');
      }
    }
    const notJson = await post('/v1/models/iris-named/predictions', { inputs: [{ name: 'features', datatype: 'BYTES', shape: [1], data: ['sepal_length=5'] }] });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json<{ error: { code: string } }>().error.code, 'INVALID_FEATURE');
  });

  it('lists iris-named in /v1/models and /v2/models with its input and output schema', async () => {
    const list = (await stack.app.inject({ method: 'GET', url: '/v1/models' })).json<{ models: Array<{ name: string; versions: Array<{ inputs: unknown; outputs: unknown; featureNames?: unknown }> }> }>();
    const entry = list.models.find((m) => m.name === 'iris-named');
    assert.ok(entry, 'listed');
    assert.deepEqual(entry.versions[0]!.inputs, [{ name: 'features', datatype: 'BYTES', shape: [-1], format: 'named-features', featureNames: FEATURES }]);
    assert.deepEqual(entry.versions[0]!.outputs, [{ name: 'output', datatype: 'BYTES', shape: [-1] }]);
    const meta = (await stack.app.inject({ method: 'GET', url: '/v2/models/iris-named' })).json<{ inputs: unknown; versions: string[] }>();
    assert.deepEqual(meta.inputs, [{ name: 'features', datatype: 'BYTES', shape: [-1] }]);
    assert.deepEqual(meta.versions, ['1']);
  });

  it('a custom step that throws fails the prediction with STEP_FAILED naming the step', async () => {
    const accepted = await post('/v1/models/throwing/predictions', { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const record = await finished(accepted.json<{ id: string }>().id);
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.code, 'STEP_FAILED');
    assert.match(record.error!.message, /step "broken" failed: calibration table is empty/);
  });

  it('a step over its time limit fails the prediction with STEP_TIMEOUT naming the step', async () => {
    const accepted = await post('/v1/models/slow/predictions', { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });
    const record = await finished(accepted.json<{ id: string }>().id);
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.code, 'STEP_TIMEOUT');
    assert.match(record.error!.message, /step "sleepy" ran longer than its time limit of 200 ms/);
  });

  it('concurrent pipeline requests share the model step\'s micro-batches', async () => {
    const random = seededRandom(11);
    const flats = Array.from({ length: 16 }, () => irisRows(random, 1));
    const accepted = await Promise.all(flats.map((flat) => post('/v1/models/iris-named/predictions', request([named(flat)]))));
    const records = await Promise.all(accepted.map((a) => finished(a.json<{ id: string }>().id)));
    const shared = records.map((r) => r.timings.steps!.find((s) => s.id === 'iris')!.batchRequests!);
    assert.ok(shared.some((n) => n > 1), `batchRequests of the iris step: ${shared.join(', ')}`);
    for (const [i, record] of records.entries()) {
      assert.equal(record.status, 'completed');
      assert.deepEqual(decode(record), JSON.parse(JSON.stringify(await byHand(flats[i]!))));
    }
  });

  it('a parallel branch merged by mean equals the mean of the branches computed by hand', async () => {
    const flat = irisRows(seededRandom(12), 4);
    const accepted = await post('/v1/models/ensemble/predictions', { inputs: [{ name: 'features', datatype: 'FP32', shape: [4, 4], data: flat }] });
    const record = await finished(accepted.json<{ id: string }>().id);
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    const plain = (await iris.run('features', flat, [4, 4])).probabilities!;
    const scaled = (await iris.run('features', Array.from(Float32Array.from(flat), (v) => v * 1.1), [4, 4])).probabilities!;
    const expected = plain.map((p, i) => (p + scaled[i]!) / 2);
    const got = record.result!.outputs[0]!.data as number[];
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${i}: ${v} vs ${expected[i]}`));
    assert.notDeepEqual(plain.map((v) => v.toFixed(4)), scaled.map((v) => v.toFixed(4)), 'the branches differ, so the mean is a real merge');
  });

  it('an image pipeline takes a raw PNG body and equals its steps run by hand', async () => {
    const png = await sharp({ create: { width: 150, height: 40, channels: 3, background: { r: 240, g: 240, b: 240 } } })
      .composite([{ input: Buffer.from('<svg width="150" height="40"><rect x="10" y="12" width="120" height="16" fill="black"/></svg>'), left: 0, top: 0 }])
      .png().toBuffer();
    const accepted = await stack.app.inject({ method: 'POST', url: '/v1/models/orient/predictions', payload: png, headers: { 'content-type': 'image/png' } });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const record = await finished(accepted.json<{ id: string }>().id);
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    const chw = await imageToChw(png, { ...IMAGE_OPTIONS, fit: 'contain', channels: 3, scale: 1 / 255 }, 'png');
    const probs = (await orientation.run('x', Array.from(chw), [1, 3, 48, 192]))['softmax_0.tmp_0']!;
    assert.deepEqual(decode(record), JSON.parse(JSON.stringify(labelRows(Float32Array.from(probs), 1, ['0', '180']))));
    // The same image as base64 in JSON gives the same answer.
    const json = await post('/v2/models/orient/infer', { inputs: [{ name: 'picture', datatype: 'BYTES', shape: [1], data: [png.toString('base64')] }] });
    assert.equal(json.statusCode, 200, json.body);
    assert.deepEqual(json.json<{ outputs: Array<{ data: string[] }> }>().outputs[0]!.data, record.result!.outputs[0]!.data);
  });

  it('refuses undecodable (400) and oversize (413) images at submit, and raw images for a model (415)', async () => {
    const send = (url: string, payload: Buffer, type = 'image/png') => stack.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });
    const broken = await send('/v1/models/orient/predictions', Buffer.from('\x89PNG but not really'));
    assert.equal(broken.statusCode, 400, broken.body);
    assert.equal(broken.json<{ error: { code: string } }>().error.code, 'INVALID_IMAGE');
    assert.match(broken.json<{ error: { message: string } }>().error.message, /input "picture" row 0/);
    const big = await sharp({ create: { width: 400, height: 300, channels: 3, background: 'white' } }).jpeg().toBuffer();
    const tooLarge = await send('/v1/models/orient/predictions', big, 'image/jpeg');
    assert.equal(tooLarge.statusCode, 413, tooLarge.body);
    assert.equal(tooLarge.json<{ error: { code: string } }>().error.code, 'IMAGE_TOO_LARGE');
    const toModel = await send('/v1/models/iris/predictions', big, 'image/jpeg');
    assert.equal(toModel.statusCode, 415, toModel.body);
    assert.equal(toModel.json<{ error: { code: string } }>().error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('a worker serving only a pipeline (MODELS=iris-named)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { env: { MODELS: 'iris-named' } });
  });
  after(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('runs the iris step for the pipeline without taking iris jobs', async () => {
    assert.deepEqual(stack.workers[0]!.repository.modelNames(), ['iris-named']);
    const row = { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 };
    const answer = await stack.app.inject({ method: 'POST', url: '/v2/models/iris-named/infer', payload: { inputs: [{ name: 'features', datatype: 'BYTES', shape: [1], data: [row] }] } });
    assert.equal(answer.statusCode, 200, answer.body);
    const result = JSON.parse(answer.json<{ outputs: Array<{ data: string[] }> }>().outputs[0]!.data[0]!) as { label: string };
    assert.equal(result.label, 'virginica');
    // A plain iris request stays queued: no worker serves predict-iris.
    const plain = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [6.7, 3.0, 5.2, 2.3] }] } });
    assert.equal(plain.statusCode, 202);
    const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${plain.json<{ id: string }>().id}?wait=300` })).json<PredictionRecord>();
    assert.equal(record.status, 'queued');
  });
});

