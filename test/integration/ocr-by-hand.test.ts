/**
 * PP-OCR end to end in one process, on images rendered here by headless Chromium with known
 * text: detection, orientation (one line drawn upside down) and recognition read them with
 * character accuracy ≥ 0.9, and models/ocr/1/pipeline.json's steps give what runOcrBatchByHand gives.
 * Real models (models/ocr-det, text-orientation, ocr-rec) through real onnxruntime-node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { closeOcrSessions, ocrProcessors, runOcrBatchByHand, runOcrByHand, type OcrResult, type OcrSessions } from '@inferq/ocr';
import { characterAccuracy } from '../helpers/character-accuracy.js';
import { loadBundledOcrSessions, ocrPipelineModels, OCR_PIPELINE_DIR, runOcrPipelineByHand } from '../helpers/ocr.js';
import { chromiumSkipReason, CHROMIUM, launchTextRenderer, type TextImageRenderer, type TextLine } from '../helpers/render-text-image.js';

const PAGE_A: TextLine[] = [
  { text: 'Invoice 2026-0142 for ACME Corp.' },
  { text: 'Queue depth 17, batch size 8' },
  { text: 'This line is upside down 93', upsideDown: true },
  { text: 'Total due: 4,250.75 EUR' },
];
const PAGE_B: TextLine[] = [
  { text: 'Printed upside down: model 7', upsideDown: true },
  { text: 'Workers read jobs from Redis' },
  { text: 'Latency p95 was 120 ms today' },
];

/** Accuracy over all lines (joined by newlines) and per line, results in reading order. */
function score(lines: readonly TextLine[], results: readonly OcrResult[]): { overall: number; perLine: number[] } {
  return {
    overall: characterAccuracy(lines.map((l) => l.text).join('\n'), results.map((r) => r.text).join('\n')),
    perLine: lines.map((line, i) => characterAccuracy(line.text, results[i]?.text ?? '')),
  };
}

describe('OCR by hand on rendered text (real models)', { skip: chromiumSkipReason() }, () => {
  let renderer: TextImageRenderer;
  let sessions: OcrSessions;
  let pageA: Buffer;
  let pageB: Buffer;
  let blank: Buffer;

  before(async () => {
    renderer = await launchTextRenderer().catch((error: unknown) => {
      throw new Error(`CI=true: the OCR tests need Chromium at ${CHROMIUM} (.ci/run installs it)`, { cause: error });
    });
    sessions = await loadBundledOcrSessions();
    pageA = await renderer.render(PAGE_A);
    pageB = await renderer.render(PAGE_B, { fontSize: 34, fontFamily: 'DejaVu Serif', width: 1000 });
    blank = await sharp({ create: { width: 300, height: 120, channels: 3, background: '#ffffff' } }).png().toBuffer();
  });
  after(async () => {
    await renderer?.close();
    if (sessions !== undefined) await closeOcrSessions(sessions);
  });

  for (const [name, lines, page] of [['sans-serif page', PAGE_A, () => pageA], ['serif page', PAGE_B, () => pageB]] as const) {
    it(`reads the ${name} with character accuracy ≥ 0.9 and turns exactly the upside-down line`, async (t) => {
      const results = await runOcrByHand(page(), sessions);
      const accuracy = score(lines, results);
      t.diagnostic(`read: ${JSON.stringify(results.map((r) => [r.text, r.angle]))}; accuracy ${accuracy.overall.toFixed(3)}`);
      assert.equal(results.length, lines.length, `one result per line: ${JSON.stringify(results.map((r) => r.text))}`);
      assert.ok(accuracy.overall >= 0.9, `character accuracy ${accuracy.overall} < 0.9`);
      assert.deepEqual(results.map((r) => r.angle), lines.map((l) => (l.upsideDown === true ? 180 : 0)));
      const flipped = lines.findIndex((l) => l.upsideDown === true);
      assert.ok(accuracy.perLine[flipped]! >= 0.9, `the upside-down line read as "${results[flipped]!.text}"`);
      for (const r of results) {
        assert.ok(r.score >= 0.5 && r.score <= 1, `score ${r.score}`);
        assert.equal(r.box.length, 4);
        for (const [x, y] of r.box) assert.ok(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0, `box corner ${x},${y}`);
      }
      // Reading order: top to bottom.
      const tops = results.map((r) => r.box[0][1]);
      assert.deepEqual(tops, [...tops].sort((a, b) => a - b));
    });
  }

  it('reads a JPEG of a page tilted by 5°: boxes follow the tilt, characters (spaces aside) ≥ 0.9', async (t) => {
    const lines = [{ text: 'Tilted scan line one 2026' }, { text: 'Second line, also tilted' }];
    const jpeg = await renderer.render(lines, { tiltDegrees: -5, format: 'jpeg', fontSize: 28 });
    const results = await runOcrByHand(jpeg, sessions);
    t.diagnostic(`read: ${JSON.stringify(results.map((r) => [r.text, r.box]))}`);
    assert.equal(results.length, 2);
    // PP-OCR's recogniser drops some spaces (see docs/ocr.md); the tilt is what this test is about.
    const squeeze = (text: string) => text.replace(/\s+/g, '');
    const accuracy = characterAccuracy(lines.map((l) => squeeze(l.text)).join('\n'), results.map((r) => squeeze(r.text)).join('\n'));
    assert.ok(accuracy >= 0.9, `character accuracy without spaces ${accuracy}`);
    for (const { box, angle } of results) {
      assert.equal(angle, 0);
      // The top edge rises to the right by about tan(5°) of its length: a rotated box, not an axis-aligned one.
      const slope = (box[1][1] - box[0][1]) / (box[1][0] - box[0][0]);
      assert.ok(slope < -0.04 && slope > -0.15, `top edge slope ${slope}`);
    }
  });

  it('gives no lines for an image without text, also through the pipeline steps (0 rows between them)', async () => {
    assert.deepEqual(await runOcrByHand(blank, sessions), []);
    assert.deepEqual(await runOcrPipelineByHand([blank], ocrPipelineModels(sessions)), [[]]);
  });

  it('models/ocr/1/pipeline.json run step by step equals runOcrBatchByHand, for a request of three images', async () => {
    const served = await runOcrPipelineByHand([pageA, pageB, blank], ocrPipelineModels(sessions));
    // The same request by hand: one detection run over the three, one recognition run over all lines.
    const byHand = await runOcrBatchByHand([pageA, pageB, blank], sessions);
    assert.equal(served.length, 3);
    served.forEach((result, i) => {
      const lines = result as OcrResult[];
      const expected = byHand[i]!;
      assert.deepEqual(lines.map((l) => [l.text, l.box, l.angle]), expected.map((l) => [l.text, l.box, l.angle]), `image ${i}`);
      // A batched model run may differ from a single one in the last float bits.
      lines.forEach((l, k) => assert.ok(Math.abs(l.score - expected[k]!.score) < 1e-4, `image ${i} line ${k} score`));
    });
  });

  it('refuses undecodable images with INVALID_IMAGE naming the row, and bad options by name', async () => {
    await assert.rejects(runOcrByHand(Buffer.from('not an image'), sessions), { code: 'INVALID_IMAGE' });
    const pre = ocrProcessors.find((p) => p.name === 'ocr-det-pre')!.create({}, { dir: OCR_PIPELINE_DIR, where: 'pre' });
    const images = { name: 'image', datatype: 'BYTES' as const, shape: [2], data: [blank.toString('base64'), '%%% not base64'] };
    await assert.rejects(async () => pre.run({ image: images }, { stepId: 'pre', signal: new AbortController().signal }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INVALID_IMAGE');
      assert.match(error.message, /image\[1\]/);
      return true;
    });
    const create = (name: string, options: Record<string, unknown>) => () => ocrProcessors.find((p) => p.name === name)!.create(options, { dir: OCR_PIPELINE_DIR, where: name });
    assert.throws(create('ocr-det-pre', { detSize: 1000 }), /detSize/);
    assert.throws(create('ocr-det-post', { unclipRaito: 2 }), /unknown option "unclipRaito"/);
    assert.throws(create('ocr-rec-post', {}), /option "dictionary" is required/);
    assert.throws(create('ocr-rec-post', { dictionary: './missing.txt' }), /missing\.txt/);
  });
});
