import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { mulberry32 } from '@inferq/monitoring';
import { MODELS_DIR } from './in-process-stack.js';

/** Deterministic pseudo-random numbers (the project's one seeded PRNG) so test inputs are reproducible. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** `rows` iris-like feature rows (cm), flat. */
export function irisRows(random: () => number, rows: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) out.push(4 + random() * 4, 2 + random() * 2.5, 1 + random() * 6, 0.1 + random() * 2.4);
  return out.map((v) => Math.round(v * 10) / 10);
}

/** `rows` text-line images 3×48×192 with values in [-1, 1], flat. */
export function textLineImages(random: () => number, rows: number): number[] {
  return Array.from({ length: rows * 3 * 48 * 192 }, () => random() * 2 - 1);
}

/** Direct onnxruntime-node inference on a bundled model, the reference every served result must equal. */
export class DirectModel {
  private constructor(readonly session: ort.InferenceSession) {}

  static async load(name: 'iris' | 'text-orientation', version = '1'): Promise<DirectModel> {
    return new DirectModel(await ort.InferenceSession.create(join(MODELS_DIR, name, version, 'model.onnx'), { intraOpNumThreads: 1 }));
  }

  /** Runs one FP32 input; returns outputs as plain number arrays. */
  async run(inputName: string, data: number[], shape: number[]): Promise<Record<string, number[]>> {
    const results = await this.session.run({ [inputName]: new ort.Tensor('float32', Float32Array.from(data), shape) });
    return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, Array.from(t.data as ArrayLike<number | bigint>, Number)]));
  }
}
