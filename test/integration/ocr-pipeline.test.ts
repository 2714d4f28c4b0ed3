/**
 * The `ocr` pipeline served end to end (real Redis, BullMQ, worker, onnxruntime) on images
 * rendered here by headless Chromium: the answer to a PNG body equals runOcrByHand on the same image (the
 * steps run by hand in this process), reads the text with character accuracy ≥ 0.9 and the
 * upside-down line right; concurrent requests share the model steps' micro-batches (visible in
 * the step timings); a step that fails is named in the failure.
 *
 * The repository is a temporary copy of the OCR entries with a queue delay on the three models,
 * so that concurrent requests reliably meet in their batches on a loaded machine.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { PredictionRecord } from '@inferq/contract';
import { closeOcrSessions, runOcrBatchByHand, runOcrByHand, type OcrResult, type OcrSessions } from '@inferq/ocr';
import { characterAccuracy } from '../helpers/character-accuracy.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { loadBundledOcrSessions } from '../helpers/ocr.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { CHROMIUM, chromiumSkipReason, launchTextRenderer, type TextLine } from '../helpers/render-text-image.js';

const WAIT_MS = 120_000;
const PAGE: TextLine[] = [
  { text: 'Invoice 2026-0142 for ACME Corp.' },
  { text: 'This line is upside down 93', upsideDown: true },
  { text: 'Queue depth 17, batch size 8' },
];

/** ocr, ocr-det, ocr-rec, text-orientation: weights linked, configs copied with a queue delay. */
function buildRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'inferq-ocr-'));
  for (const model of ['ocr-det', 'ocr-rec', 'text-orientation']) {
    const dir = join(root, model, '1');
    mkdirSync(dir, { recursive: true });
    symlinkSync(realpathSync(join(MODELS_DIR, model, '1', 'model.onnx')), join(dir, 'model.onnx'));
    const config = JSON.parse(readFileSync(join(MODELS_DIR, model, '1', 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, maxQueueDelayMs: 300 }));
  }
  copyFileSync(realpathSync(join(MODELS_DIR, 'ocr-rec', '1', 'dictionary.txt')), join(root, 'ocr-rec', '1', 'dictionary.txt'));
  mkdirSync(join(root, 'ocr', '1'), { recursive: true });
  copyFileSync(join(MODELS_DIR, 'ocr', '1', 'pipeline.json'), join(root, 'ocr', '1', 'pipeline.json'));
  return root;
}

describe('the ocr pipeline served (real Redis, BullMQ, onnxruntime)', { skip: chromiumSkipReason() }, () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let sessions: OcrSessions;
  let root: string;
  let page: Buffer;
  let serif: Buffer;
  let blank: Buffer;

  before(async () => {
    const renderer = await launchTextRenderer().catch((error: unknown) => {
      throw new Error(`CI=true: the OCR tests need Chromium at ${CHROMIUM} (.ci/run installs it)`, { cause: error });
    });
    try {
      page = await renderer.render(PAGE);
      serif = await renderer.render([{ text: 'Workers read jobs from Redis' }, { text: 'Printed upside down: model 7', upsideDown: true }], { fontFamily: 'DejaVu Serif', fontSize: 34 });
    } finally {
      await renderer.close();
    }
    blank = await sharp({ create: { width: 320, height: 100, channels: 3, background: '#ffffff' } }).png().toBuffer();
    sessions = await loadBundledOcrSessions();
    root = buildRepository();
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { env: { MODEL_REPOSITORY: root, SYNC_TIMEOUT_MS: String(WAIT_MS), MAX_WAIT_MS: String(WAIT_MS) } });
  });
  after(async () => {
    await stack?.close();
    await redis?.stop();
    if (sessions !== undefined) await closeOcrSessions(sessions);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const body = (images: readonly Buffer[]) => ({ inputs: [{ name: 'image', datatype: 'BYTES', shape: [images.length], data: images.map((b) => b.toString('base64')) }] });
  const submit = async (images: readonly Buffer[]): Promise<string> => {
    const accepted = await stack.app.inject({ method: 'POST', url: '/v1/models/ocr/predictions', payload: body(images) });
    assert.equal(accepted.statusCode, 202, accepted.body);
    return accepted.json<{ id: string }>().id;
  };
  const finished = async (id: string): Promise<PredictionRecord> => {
    const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` });
    assert.equal(response.statusCode, 200, response.body);
    const record = response.json<PredictionRecord>();
    assert.ok(record.status === 'completed' || record.status === 'failed', `finished in time: ${record.status}`);
    return record;
  };
  const results = (record: PredictionRecord): OcrResult[][] => {
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    const output = record.result!.outputs.find((o) => o.name === 'output')!;
    return (output.data as string[]).map((s) => JSON.parse(s) as OcrResult[]);
  };
  /** Served equals by hand: same lines, boxes and angles; scores equal up to batching's last float bits. */
  const assertSame = (served: readonly OcrResult[], byHand: readonly OcrResult[], what: string) => {
    assert.deepEqual(served.map((l) => [l.text, l.box, l.angle]), byHand.map((l) => [l.text, l.box, l.angle]), what);
    served.forEach((l, k) => assert.ok(Math.abs(l.score - byHand[k]!.score) < 1e-4, `${what} line ${k}: score ${l.score} vs ${byHand[k]!.score}`));
  };

  it('v2 infer with a PNG body equals runOcrByHand, reads ≥ 0.9 of the characters and the upside-down line', async (t) => {
    const response = await stack.app.inject({ method: 'POST', url: '/v2/models/ocr/infer', payload: page, headers: { 'content-type': 'image/png' } });
    assert.equal(response.statusCode, 200, response.body);
    const output = response.json<{ outputs: Array<{ name: string; data: string[] }> }>().outputs.find((o) => o.name === 'output')!;
    const served = JSON.parse(output.data[0]!) as OcrResult[];
    assertSame(served, await runOcrByHand(page, sessions), 'page');
    const accuracy = characterAccuracy(PAGE.map((l) => l.text).join('\n'), served.map((l) => l.text).join('\n'));
    t.diagnostic(`served: ${JSON.stringify(served.map((l) => [l.text, l.angle]))}; accuracy ${accuracy.toFixed(3)}`);
    assert.ok(accuracy >= 0.9, `character accuracy ${accuracy}`);
    assert.deepEqual(served.map((l) => l.angle), [0, 180, 0]);
    assert.ok(characterAccuracy(PAGE[1]!.text, served[1]!.text) >= 0.9, `upside-down line read as "${served[1]!.text}"`);
  });

  it('a request of three images (one without text) equals runOcrBatchByHand on them, with every step timed', async () => {
    const record = await finished(await submit([page, serif, blank]));
    const served = results(record);
    assert.equal(served.length, 3);
    // By hand as one request: one detection run over the three, one recognition run over all lines.
    const byHand = await runOcrBatchByHand([page, serif, blank], sessions);
    assertSame(served[0]!, byHand[0]!, 'image 0');
    assertSame(served[1]!, byHand[1]!, 'image 1');
    assert.deepEqual(served[2], []);
    assert.deepEqual(record.timings.steps?.map((s) => s.id).sort(), ['boxes', 'cls', 'det', 'post', 'pre', 'rec', 'recpre', 'rotate']);
    const det = record.timings.steps!.find((s) => s.id === 'det')!;
    assert.equal(det.kind, 'model');
    assert.ok(det.batchSize! >= 3, `det ran the 3 images in one batch: ${det.batchSize}`);
  });

  it('concurrent requests share the model steps\' micro-batches (batchRequests > 1 in the timings)', async (t) => {
    const images = [page, serif, page, serif];
    const ids = await Promise.all(images.map((image) => submit([image])));
    const records = await Promise.all(ids.map(finished));
    const shared = Object.fromEntries(['det', 'cls', 'rec'].map((step) => [step, records.map((r) => r.timings.steps!.find((s) => s.id === step)!.batchRequests!)]));
    t.diagnostic(`batchRequests per model step and request: ${JSON.stringify(shared)}`);
    assert.ok(Object.values(shared).some((counts) => counts.some((n) => n > 1)), `batchRequests per model step: ${JSON.stringify(shared)}`);
    const expected = { page: await runOcrByHand(page, sessions), serif: await runOcrByHand(serif, sessions) };
    records.forEach((record, i) => assertSame(results(record)[0]!, i % 2 === 0 ? expected.page : expected.serif, `request ${i}`));
  });

  it('a bad image is a 400 at submit; one that fails inside a step is reported with the step\'s name', async () => {
    const junk = await stack.app.inject({ method: 'POST', url: '/v1/models/ocr/predictions', payload: { inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [Buffer.from('not an image').toString('base64')] }] } });
    assert.equal(junk.statusCode, 400, junk.body);
    assert.equal(junk.json<{ error: { code: string } }>().error.code, 'INVALID_IMAGE');
    // The header is intact (the API's check passes) but the pixel data is cut: decoding fails in step "pre".
    const truncated = page.subarray(0, Math.floor(page.length / 2));
    const record = await finished(await submit([truncated]));
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.code, 'INVALID_IMAGE');
    assert.match(record.error!.message, /step "pre"/);
  });
});
