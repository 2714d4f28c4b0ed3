/**
 * `node --import tsx bench/prediction-log-summary.ts [--batch 32]`: worker CPU per logged
 * prediction — the batch entry's input/output summaries and its JSON, for batches of 1 and of
 * `batch` predictions — for an iris row and a 3×48×192 image.
 */
import type { ModelVersion } from '@inferq/model-repository';
import type { Tensor } from '@inferq/tensor';
import type { ItemOutcome } from '../apps/worker/src/batch-execution.js';
import { parseArgs } from 'node:util';
import { logBatch } from '../apps/worker/src/prediction-log-writer.js';

const { values: args } = parseArgs({ options: { batch: { type: 'string', default: '32' } } });

function measure(name: string, model: ModelVersion, input: Tensor, outputs: Tensor[], count: number): void {
  for (const k of [1, Number(args.batch)]) {
    const logged = Array.from({ length: k }, () => ({
      item: { rows: 1, inputs: [input] },
      outcome: { ok: true, outputs, inferenceMs: 1, batchRows: k, batchRequests: k } as ItemOutcome,
      event: { id: 'bXlGcJ0m2s4hQk2u1Yp8tA', model: model.name, version: '1', status: 'completed' as const, createdAt: 1, timings: { totalMs: 1, queueWaitMs: 1, inferenceMs: 1, batchSize: k, batchRequests: k }, worker: { id: 'w', device: 'cpu' } },
    }));
    const once = () => JSON.stringify(logBatch(model, logged, 2, 1)).length;
    const rounds = Math.ceil(count / k);
    for (let i = 0; i < Math.ceil(2_000 / k); i++) once();
    const start = performance.now();
    let bytes = 0;
    for (let i = 0; i < rounds; i++) bytes += once();
    console.log(`| ${name} | ${k} | ${(((performance.now() - start) * 1000) / (rounds * k)).toFixed(1)} | ${Math.round(bytes / (rounds * k))} |`);
  }
}

console.log('| input | predictions per entry | µs per prediction (summaries + JSON) | bytes per prediction |');
console.log('| --- | ---: | ---: | ---: |');
measure('iris [1, 4]', { name: 'iris', labels: ['setosa', 'versicolor', 'virginica'], featureNames: { features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] } } as unknown as ModelVersion,
  { name: 'features', datatype: 'FP32', shape: [1, 4], data: Float32Array.from([5.1, 3.5, 1.4, 0.2]) },
  [{ name: 'probabilities', datatype: 'FP32', shape: [1, 3], data: Float32Array.from([0.9, 0.05, 0.05]) }, { name: 'label', datatype: 'INT64', shape: [1], data: BigInt64Array.from([0n]) }], 100_000);
measure('image [1, 3, 48, 192]', { name: 'text-orientation', labels: ['0', '180'], featureNames: {} } as unknown as ModelVersion,
  { name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192], data: Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.sin(i)) },
  [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([0.9, 0.1]) }], 20_000);
