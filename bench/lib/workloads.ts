import { fileURLToPath } from 'node:url';
import { mulberry32 } from '@inferq/monitoring';

/** Repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MODELS_DIR = `${REPO_ROOT}models`;

/** A benchmarked model: one request = one row. */
export interface Workload {
  model: 'iris' | 'text-orientation';
  inputName: string;
  rowShape: number[];
  /** Largest batch the server uses for it (the model's maxBatchSize). */
  maxBatch: number;
  /** Batch sizes swept for the raw limit. */
  sweep: number[];
  /** A few distinct request bodies (JSON text), pre-serialised so the client spends no CPU on them. */
  bodies: string[];
  /** The same rows as Float32Arrays, for raw onnxruntime. */
  rows: Float32Array[];
}

const seeded = mulberry32;

function make(model: Workload['model'], inputName: string, rowShape: number[], maxBatch: number, sweep: number[], value: (r: () => number) => number): Workload {
  const random = seeded(7);
  const size = rowShape.reduce((a, b) => a * b, 1);
  const rows = Array.from({ length: 8 }, () => Float32Array.from({ length: size }, () => value(random)));
  const bodies = rows.map((row) => JSON.stringify({ inputs: [{ name: inputName, shape: [1, ...rowShape], datatype: 'FP32', data: Array.from(row) }] }));
  return { model, inputName, rowShape, maxBatch, sweep, bodies, rows };
}

/** The bundled models: iris (overhead-bound: µs of compute) and text-orientation (compute-bound: ~1 ms per row). */
export function workloads(): Workload[] {
  return [
    make('iris', 'features', [4], 64, [1, 8, 32, 64, 256], (r) => Math.round((1 + r() * 6) * 10) / 10),
    make('text-orientation', 'x', [3, 48, 192], 32, [1, 4, 8, 16, 32], (r) => r() * 2 - 1),
  ];
}
