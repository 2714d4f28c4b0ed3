/**
 * The OCR pipeline run by hand in one process: every step in order, each model called directly
 * through onnxruntime. The oracle the served pipeline must equal, and the benchmark's limit (no
 * queue, no Redis, no tensor passing between steps).
 */
import * as ort from 'onnxruntime-node';
import { decodeImage } from './decode-image.js';
import { detPreprocess } from './det-preprocess.js';
import { loadDictionary } from './dictionary.js';
import { LINE_HEIGHT, CLS_WIDTH, resolveOcrOptions, type OcrOptions, type ResolvedOcrOptions } from './ocr-options.js';
import { applyOrientation, clsInput, decodeResults, extractLines, recInput, type OcrResult } from './ocr-stages.js';

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
  const resolved = resolveOcrOptions(options as Record<string, unknown>);
  const image = await decodeImage(imageBytes);
  const size = resolved.detSize;
  const { data, geometry } = await detPreprocess(image, { size });
  const map = await runSingle(sessions.det, new ort.Tensor('float32', data, [1, 3, size, size]));
  const { lines, clsLines, infos } = extractLines(image, 0, map.data as Float32Array, size, geometry, resolved);
  if (lines.length === 0) return [];
  const cls = await runSingle(sessions.cls, new ort.Tensor('float32', clsInput(clsLines), [lines.length, 3, LINE_HEIGHT, CLS_WIDTH]));
  const oriented = applyOrientation(lines, infos, cls.data as Float32Array, resolved.clsThreshold);
  const rec = recInput(oriented.lines, resolved);
  const probs = await runSingle(sessions.rec, new ort.Tensor('float32', rec.data, [lines.length, 3, LINE_HEIGHT, rec.width]));
  const [, steps, classes] = probs.dims as [number, number, number];
  return decodeResults(probs.data as Float32Array, steps, classes, oriented.infos, 1, sessions.characters, resolved)[0]!;
}

async function runSingle(session: ort.InferenceSession, input: ort.Tensor): Promise<ort.Tensor> {
  const outputs = await session.run({ [session.inputNames[0]!]: input });
  return outputs[session.outputNames[0]!]!;
}
