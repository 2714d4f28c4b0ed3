/**
 * CPU per binary image on the JavaScript paths around inference, in one process (no Redis, no
 * model): what the API does with a binary WebSocket predict frame (split it, parse its JSON,
 * validate the tensor, encode it for the job with its claim-check payload, and the RESP buffer
 * ioredis builds for the `create` script call), and what a worker does with the payloads of a
 * batch (decode each claimed tensor, concatenate the batch, summarise its inputs for the
 * prediction log). Counts process.cpuUsage and the garbage collector's pause time per image.
 *
 *   node --import tsx bench/binary-path.ts [images per run, default 20000] [--aligned]
 *
 * The scenario of issue 11: text-orientation, x [1,3,48,192] FP32 (110 592 bytes). The JSON
 * header carries a varying `ref`, as bench/lib/ws-client.ts sends it, so the tensor section
 * starts at every offset modulo 4; `--aligned` pads the header so it always starts at a multiple
 * of 8 (zero-copy validation). Less noisy than bench/cost.ts on a loaded machine, but only a part
 * of what a prediction costs: compare before/after on the same machine, alternating.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Command } from 'ioredis';
import {
  concatBatch, decodeTensor, encodeTensorsForJob, summarizeInputBatch, validateInferenceRequest, type ModelSignature,
} from '@inferq/tensor';

const images = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20_000);
const aligned = process.argv.includes('--aligned');
const BATCH = 28; // the mean batch the worker formed in bench/cost.ts for this scenario
const CLAIM_CHECK_BYTES = 64 * 1024;
const SIGNATURE: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 48, 192] }],
  outputs: [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [-1, 2] }],
  maxBatchSize: 64,
};

const rows = Array.from({ length: 8 }, (_, r) => Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.sin(i * 0.37 + r) * 0.5));

/** A frame as the bench's PushClient builds it: [u32 LE JSON length][JSON][tensor bytes]. */
function frame(i: number): Buffer {
  const request = { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', parameters: { binary_data_size: 110_592 } }] };
  let text = JSON.stringify({ type: 'predict', model: 'text-orientation', request, ref: `r${i}` });
  if (aligned) text = text.padEnd(Math.ceil((4 + text.length) / 8) * 8 - 4, ' ');
  const json = Buffer.from(text);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength);
  const row = rows[i % rows.length]!;
  // Through Buffer.concat: a fresh buffer per frame, as ws hands the API a message.
  return Buffer.concat([length, json, Buffer.from(row.buffer, row.byteOffset, row.byteLength)]);
}

function apiPath(data: Buffer): Buffer {
  const length = data.readUInt32LE(0);
  const message = JSON.parse(data.subarray(4, 4 + length).toString('utf8')) as { request: unknown };
  const validated = validateInferenceRequest(message.request, SIGNATURE, undefined, data.subarray(4 + length));
  const { payload } = encodeTensorsForJob(validated.inputs, CLAIM_CHECK_BYTES);
  // The create.lua call's arguments as PredictionStore.createMany passes them (one prediction).
  const args = [86_460, 86_400, 1, 1, 1, 8, 'status', 'queued', 'model', 'text-orientation', 'version', '1', 'createdAt', String(Date.now()), payload!];
  const command = new Command('evalsha', ['0123456789abcdef0123456789abcdef01234567', 3, 'p:prediction:x', 'p:payload:x', 'p:queued:text-orientation', ...args]);
  return command.toWritable(undefined as never) as Buffer;
}

function workerPath(payloads: readonly Buffer[]): number {
  const claim = { offset: 0, length: 110_592 };
  const tensors = payloads.map((payload) => decodeTensor({ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192], claim }, payload));
  const batch = concatBatch(tensors);
  const summary = summarizeInputBatch(tensors);
  return batch.data.length + (summary ? 1 : 0);
}

let gcMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });

async function measure(label: string, run: (i: number) => void, count: number, perRun: number): Promise<void> {
  for (let i = 0; i < Math.min(count, 2_000); i++) run(i); // warm-up
  gcMs = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) run(i);
  const cpu = process.cpuUsage(start);
  await new Promise((resolve) => setTimeout(resolve, 20)); // gc entries arrive asynchronously
  const n = count * perRun;
  console.log(`| ${label} | ${((cpu.user + cpu.system) / n).toFixed(1)} | ${((gcMs * 1000) / n).toFixed(1)} |`);
}

const frames = Array.from({ length: 64 }, (_, i) => frame(i));
// Payloads as a worker reads them from Redis: a buffer of their own per prediction.
const payloads = Array.from({ length: BATCH }, (_, i) => Buffer.from(frames[i]!.subarray(frames[i]!.byteLength - 110_592)));

console.log(`binary image path, ${images} images${aligned ? ', header padded to 8 bytes' : ''}; µs per image`);
console.log('| path | CPU | of which GC pause |');
console.log('| --- | ---: | ---: |');
for (let round = 0; round < 2; round++) {
  // A frame is used once, as a message is: copy a template each time (its own cost is in "frame copy").
  await measure('frame copy (baseline)', (i) => { Buffer.from(frames[i % frames.length]!); }, images, 1);
  await measure('API: frame copy + split, parse, validate, encode, RESP', (i) => { apiPath(Buffer.from(frames[i % frames.length]!)); }, images, 1);
  await measure(`worker: decode ${BATCH}, concat, summarise`, () => { workerPath(payloads); }, Math.ceil(images / BATCH), BATCH);
}
