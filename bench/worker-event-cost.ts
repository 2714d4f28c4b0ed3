/**
 * `node --import tsx bench/worker-event-cost.ts [--batch 45] [--rounds 2000] [--repeat 4]`: the
 * worker's CPU per iris prediction, in one process with no I/O, for what it computes per
 * prediction after a batch: the final event's text (finalEventText) of an event laid out with
 * `origin` second (cut out and spliced back, as before) and with `origin` last (serialised as it
 * is, as model-version-server.ts builds it now), the output summary (summarizeOutputs) of the
 * ONNX outputs (typed arrays: the prediction log) and of the JSON result, and the version stats
 * increments of a batch of events (statsIncrements, which summarises each JSON result).
 * Variants alternate in each repeat; CPU time (process.cpuUsage), so a shared machine slows
 * them alike. Run it at two commits to compare the summaries.
 */
import { parseArgs } from 'node:util';
import type { PredictionFinalEvent } from '@inferq/contract';
import { finalEventText } from '@inferq/predictions';
import { summarizeOutputs, type SummarisableTensor } from '@inferq/tensor';
import { statsIncrements } from '../apps/worker/src/version-stats-writer.js';

const { values: args } = parseArgs({ options: { batch: { type: 'string', default: '45' }, rounds: { type: 'string', default: '2000' }, repeat: { type: 'string', default: '4' } } });
const batch = Number(args.batch);
const rounds = Number(args.rounds);
const labels = ['setosa', 'versicolor', 'virginica'];
const probabilities = (i: number) => new Float32Array([0.0012345678 + i * 1e-7, 0.9876543, 0.011111111]);

const ids = Array.from({ length: batch }, (_, i) => `0b6f7a1e-1c2d-4e5f-8a9b-${String(i).padStart(12, '0')}`);
const result = (i: number) => ({ model_name: 'iris', model_version: '1', id: ids[i]!, outputs: [
  { name: 'label', shape: [1], datatype: 'INT64' as const, data: [i % 3] },
  { name: 'probabilities', shape: [1, 3], datatype: 'FP32' as const, data: Array.from(probabilities(i)) },
] });
const timings = { queueWaitMs: 3, inferenceMs: 0.412, totalMs: 5, batchSize: batch, batchRequests: batch };
const worker = { id: 'worker-1a2b3c', device: 'cpu' };
/** As the worker built events before: `origin` second. */
const originSecond: PredictionFinalEvent[] = ids.map((id, i) => ({ id, model: 'iris', version: '1', createdAt: 1_764_650_000_000 + i, worker, origin: '9f86d081884c7d65', status: 'completed', result: result(i), timings }));
/** As it builds them now: `origin` last. */
const originLast: PredictionFinalEvent[] = ids.map((id, i) => ({ id, model: 'iris', version: '1', createdAt: 1_764_650_000_000 + i, worker, status: 'completed', result: result(i), timings, origin: '9f86d081884c7d65' }));
for (let i = 0; i < batch; i++) if (finalEventText(originSecond[i]!) !== finalEventText(originLast[i]!)) throw new Error('texts differ');
const onnxOutputs: SummarisableTensor[][] = ids.map((_, i) => [
  { name: 'label', shape: [1], datatype: 'INT64', data: new BigInt64Array([BigInt(i % 3)]) as unknown as ArrayLike<bigint> },
  { name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: probabilities(i) },
]);
const jsonOutputs = originLast.map((e) => e.result!.outputs);

let sink = 0;
const variants: Record<string, () => void> = {
  'finalEventText, origin second (spliced)': () => { for (const e of originSecond) sink += finalEventText(e).length; },
  'finalEventText, origin last': () => { for (const e of originLast) sink += finalEventText(e).length; },
  'summarizeOutputs, ONNX outputs (log)': () => { for (const o of onnxOutputs) sink += summarizeOutputs(o, labels)!.classes.length; },
  'summarizeOutputs, JSON result (stats)': () => { for (const o of jsonOutputs) sink += summarizeOutputs(o, labels)!.classes.length; },
  'statsIncrements (incl. summarizeOutputs)': () => { sink += statsIncrements(originLast, 1_764_650_000_000, () => labels).length; },
};
const figures: Record<string, number[]> = {};
for (let r = 0; r < Number(args.repeat) + 1; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const start = process.cpuUsage();
    for (let k = 0; k < rounds; k++) run();
    const used = process.cpuUsage(start);
    if (r > 0) (figures[name] ??= []).push((used.user + used.system) / (rounds * batch)); // the first repeat warms up
  }
}
console.log(`CPU µs per prediction (batch ${batch}, ${rounds} rounds, ${args.repeat} repeats)`);
for (const [name, values] of Object.entries(figures)) console.log(`${name}: ${values.map((v) => v.toFixed(2)).join(', ')}`);
if (sink === 0) console.log('');
