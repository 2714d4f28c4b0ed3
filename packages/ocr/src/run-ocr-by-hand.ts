/**
 * The OCR pipeline run by hand in one process: every step in order, each model called directly
 * through onnxruntime. The oracle the served pipeline must equal, and the benchmark's limit (no
 * queue, no Redis, no tensor passing between steps).
 */
import * as ort from 'onnxruntime-node';
import { decodeImage } from './decode-image.js';
import type { LineImage } from './crop-line.js';
import { detPreprocess, fitGeometry, paddedSize } from './det-preprocess.js';
import { loadDictionary } from './dictionary.js';
import { LINE_HEIGHT, CLS_WIDTH, resolveOcrOptions, type OcrOptions, type ResolvedOcrOptions } from './ocr-options.js';
import { applyOrientation, clsInput, decodeResults, extractLines, recInput, type LineInfo, type OcrResult } from './ocr-stages.js';

/** The three models and the recogniser's dictionary. */
export interface OcrSessions {
  readonly det: ort.InferenceSession;
  readonly cls: ort.InferenceSession;
  readonly rec: ort.InferenceSession;
  /** Characters of the recogniser's classes 1…n (see {@link loadDictionary}). */
  readonly characters: readonly string[];
}

/** Model files for {@link loadOcrSessions}. */
export interface OcrModelPaths {
  readonly det: string;
  readonly cls: string;
  readonly rec: string;
  readonly dictionary: string;
}

/** Opens the three models on the CPU. @defaultValue intraOpThreads 1 */
export async function loadOcrSessions(paths: OcrModelPaths, intraOpThreads = 1): Promise<OcrSessions> {
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: intraOpThreads, executionProviders: ['cpu'] };
  const [det, cls, rec] = await Promise.all([paths.det, paths.cls, paths.rec].map((p) => ort.InferenceSession.create(p, options)));
  return { det: det!, cls: cls!, rec: rec!, characters: loadDictionary(paths.dictionary) };
}

/** Releases the sessions (idempotent as far as onnxruntime allows: errors on a second call are ignored). */
export async function closeOcrSessions(sessions: OcrSessions): Promise<void> {
  for (const session of [sessions.det, sessions.cls, sessions.rec]) {
    try { await session.release(); } catch { /* already released */ }
  }
}

/** Reads the text of one image (encoded bytes). Options as the pipeline steps take them. */
export async function runOcrByHand(imageBytes: Uint8Array, sessions: OcrSessions, options: OcrOptions | ResolvedOcrOptions = {}): Promise<OcrResult[]> {
  return (await runOcrBatchByHand([imageBytes], sessions, options))[0]!;
}

/**
 * Reads several images as one request does: one detection run over all of them (padded to the
 * largest), one orientation and one recognition run over all their lines (so a line's recogniser
 * width depends on the request's widest line, exactly as in the pipeline).
 */
export async function runOcrBatchByHand(images: readonly Uint8Array[], sessions: OcrSessions, options: OcrOptions | ResolvedOcrOptions = {}): Promise<OcrResult[][]> {
  const resolved = resolveOcrOptions(options as Record<string, unknown>);
  const decoded = await Promise.all(images.map((bytes, i) => decodeImage(bytes, { what: `image[${i}]` })));
  let height = 0, width = 0;
  for (const image of decoded) {
    const [h, w] = paddedSize(fitGeometry(image.width, image.height, resolved.detSize), resolved.detMultiple);
    height = Math.max(height, h);
    width = Math.max(width, w);
  }
  const prepared = await Promise.all(decoded.map((image) => detPreprocess(image, { size: resolved.detSize, padTo: [height, width] })));
  const plane = 3 * height * width;
  const x = new Float32Array(images.length * plane);
  prepared.forEach(({ data }, i) => x.set(data, i * plane));
  const maps = (await runSingle(sessions.det, new ort.Tensor('float32', x, [images.length, 3, height, width]))).data as Float32Array;
  const lines: LineImage[] = [];
  const clsLines: LineImage[] = [];
  const infos: LineInfo[] = [];
  decoded.forEach((image, i) => {
    const found = extractLines(image, i, maps.subarray(i * height * width, (i + 1) * height * width), width, prepared[i]!.geometry, resolved);
    lines.push(...found.lines);
    clsLines.push(...found.clsLines);
    infos.push(...found.infos);
  });
  if (lines.length === 0) return images.map(() => []);
  const cls = await runSingle(sessions.cls, new ort.Tensor('float32', clsInput(clsLines), [lines.length, 3, LINE_HEIGHT, CLS_WIDTH]));
  const oriented = applyOrientation(lines, infos, cls.data as Float32Array, resolved.clsThreshold);
  const rec = recInput(oriented.lines, resolved);
  const probs = await runSingle(sessions.rec, new ort.Tensor('float32', rec.data, [lines.length, 3, LINE_HEIGHT, rec.width]));
  const [, steps, classes] = probs.dims as [number, number, number];
  return decodeResults(probs.data as Float32Array, steps, classes, oriented.infos, images.length, sessions.characters, resolved);
}

async function runSingle(session: ort.InferenceSession, input: ort.Tensor): Promise<ort.Tensor> {
  const outputs = await session.run({ [session.inputNames[0]!]: input });
  return outputs[session.outputNames[0]!]!;
}
