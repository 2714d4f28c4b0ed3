/**
 * Scenario "limit": raw onnxruntime-node in this process, no queue, no HTTP. A sweep over batch
 * sizes finds the best items/s the hardware gives for the model: the ceiling for everything else.
 */
// Before onnxruntime loads: its telemetry off (docs/configuration: ORT_DISABLE_TELEMETRY).
import '@inferq/env/onnxruntime-defaults';
import * as ort from 'onnxruntime-node';
import { percentile } from '../lib/stats.js';
import { MODELS_DIR, type Workload } from '../lib/workloads.js';

export interface LimitResult {
  bestItemsPerS: number;
  bestBatch: number;
  perBatch: Record<number, number>;
  /** Median wall time of one batch-1 `session.run`, ms. */
  singleMs: number;
}

export async function measureLimit(w: Workload, threads: number, secondsPerBatch: number): Promise<LimitResult> {
  const session = await ort.InferenceSession.create(`${MODELS_DIR}/${w.model}/1/model.onnx`, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const rowSize = w.rows[0]!.length;
  const perBatch: Record<number, number> = {};
  let singleMs = Number.NaN;
  for (const batch of w.sweep) {
    const data = new Float32Array(batch * rowSize);
    for (let i = 0; i < batch; i++) data.set(w.rows[i % w.rows.length]!, i * rowSize);
    const feeds = { [w.inputName]: new ort.Tensor('float32', data, [batch, ...w.rowShape]) };
    for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up
    const times: number[] = [];
    const start = performance.now();
    while (performance.now() - start < secondsPerBatch * 1000) {
      const t0 = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t0);
    }
    const elapsed = (performance.now() - start) / 1000;
    perBatch[batch] = (times.length * batch) / elapsed;
    if (batch === 1) singleMs = percentile(times, 50);
  }
  await session.release();
  const [bestBatch, bestItemsPerS] = Object.entries(perBatch).map(([b, v]) => [Number(b), v] as const).sort((a, b) => b[1] - a[1])[0]!;
  return { bestItemsPerS, bestBatch, perBatch, singleMs };
}
