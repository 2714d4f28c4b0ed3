/**
 * OCR test support: the three bundled models opened directly, and `models/ocr/1/pipeline.json`
 * executed step by step in this process (processors called directly, models through
 * onnxruntime one step at a time): what the served pipeline must equal, without the worker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Before onnxruntime loads: its telemetry off (docs/configuration: ORT_DISABLE_TELEMETRY).
import '@inferq/env/onnxruntime-defaults';
import * as ort from 'onnxruntime-node';
import { loadOcrSessions, ocrProcessors, type OcrSessions } from '@inferq/ocr';
import type { Tensor } from '@inferq/tensor';

export const OCR_MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url));
export const OCR_PIPELINE_DIR = join(OCR_MODELS_DIR, 'ocr', '1');

/** The sessions `runOcrByHand` takes, from the repository's model entries. */
export function loadBundledOcrSessions(): Promise<OcrSessions> {
  return loadOcrSessions({
    det: join(OCR_MODELS_DIR, 'ocr-det', '1', 'model.onnx'),
    cls: join(OCR_MODELS_DIR, 'text-orientation', '1', 'model.onnx'),
    rec: join(OCR_MODELS_DIR, 'ocr-rec', '1', 'model.onnx'),
    dictionary: join(OCR_MODELS_DIR, 'ocr-rec', '1', 'dictionary.txt'),
  });
}

interface PipelineStep {
  id: string;
  processor?: string;
  model?: string;
  inputs: Record<string, string>;
  options?: Record<string, unknown>;
}

/** The models pipeline.json names, by model name. */
export type PipelineModels = Readonly<Record<string, ort.InferenceSession>>;

/** The OCR pipeline's model steps mapped to the sessions. */
export function ocrPipelineModels(sessions: OcrSessions): PipelineModels {
  return { 'ocr-det': sessions.det, 'text-orientation': sessions.cls, 'ocr-rec': sessions.rec };
}

/**
 * Runs models/ocr/1/pipeline.json on base64 images (one request, batch = images.length) and
 * returns each image's parsed result. A model step with 0 input rows is not run (onnxruntime
 * cannot reshape an empty batch); its output has 0 rows.
 */
export async function runOcrPipelineByHand(images: readonly Buffer[], models: PipelineModels): Promise<unknown[]> {
  const pipeline = JSON.parse(readFileSync(join(OCR_PIPELINE_DIR, 'pipeline.json'), 'utf8')) as { steps: PipelineStep[]; outputs: { from: string }[] };
  const values = new Map<string, Tensor>([['$input.image', { name: 'image', datatype: 'BYTES', shape: [images.length], data: images.map((b) => b.toString('base64')) }]]);
  const signal = new AbortController().signal;
  for (const step of pipeline.steps) {
    const inputs = Object.fromEntries(Object.entries(step.inputs).map(([name, ref]) => {
      const value = values.get(ref);
      if (value === undefined) throw new Error(`step ${step.id}: no value ${ref}`);
      return [name, value];
    }));
    let outputs: Record<string, Tensor>;
    if (step.processor !== undefined) {
      const definition = ocrProcessors.find((p) => p.name === step.processor);
      if (definition === undefined) throw new Error(`step ${step.id}: no processor ${step.processor}`);
      outputs = { ...await definition.create(step.options ?? {}, { dir: OCR_PIPELINE_DIR, where: step.id }).run(inputs, { stepId: step.id, signal }) };
    } else {
      outputs = await runModel(models[step.model!]!, inputs);
    }
    for (const [name, tensor] of Object.entries(outputs)) values.set(`${step.id}.${name}`, tensor);
  }
  const output = values.get(pipeline.outputs[0]!.from)!;
  return (output.data as string[]).map((text) => JSON.parse(text) as unknown);
}

async function runModel(session: ort.InferenceSession, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const [name, tensor] = Object.entries(inputs)[0]!;
  if (tensor.shape[0] === 0) {
    // An empty batch: outputs of 0 rows, their other dims as the model declares (dynamic ones 0).
    return Object.fromEntries(session.outputNames.map((output, i) => {
      const meta = session.outputMetadata[i] as { shape?: readonly (number | string)[] } | undefined;
      const shape = (meta?.shape ?? [0]).map((d, k) => (k === 0 || typeof d !== 'number' ? 0 : d));
      return [output, { name: output, datatype: 'FP32', shape, data: new Float32Array(0) } satisfies Tensor];
    }));
  }
  const results = await session.run({ [name]: new ort.Tensor('float32', tensor.data as Float32Array, tensor.shape) });
  return Object.fromEntries(Object.entries(results).map(([output, t]) => [output, { name: output, datatype: 'FP32', shape: [...t.dims], data: t.data as Float32Array } satisfies Tensor]));
}
