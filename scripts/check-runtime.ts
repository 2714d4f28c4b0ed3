/**
 * Checks, on the Node.js running it, the parts that depend on the runtime rather than on our code:
 * tsx (this file is TypeScript), onnxruntime-node's native binding (loads and runs the iris model),
 * and msgpackr's native extension (BullMQ decodes job data with it; without it msgpackr silently
 * falls back to slower JavaScript, which is why this is checked rather than assumed), and
 * bufferutil's native masking (ws uses it when it loads; its JavaScript fallback costs ~350 µs per
 * 110 KB WebSocket frame, more than the rest of the API's work on a binary image).
 * Exits non-zero naming what failed. `.ci/run` runs it on every Node line it tests.
 *
 * Run: node --import tsx scripts/check-runtime.ts
 */
import '@inferq/env/onnxruntime-defaults';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createRequire } from 'node:module';
import { isNativeAccelerationEnabled, pack, unpack } from 'msgpackr';

const failures: string[] = [];
const modelPath = fileURLToPath(new URL('../models/iris/1/model.onnx', import.meta.url));

const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
const input = new ort.Tensor('float32', Float32Array.from([6.7, 3.0, 5.2, 2.3]), [1, 4]);
const outputs = await session.run({ [session.inputNames[0]!]: input });
const label = outputs.label?.data[0];
if (Number(label) !== 2) failures.push(`onnxruntime-node: iris label ${String(label)}, expected 2 (virginica)`);
await session.release();

// unpack() loads the extension lazily, on the first string-bearing message.
const roundTrip = unpack(pack({ text: 'x'.repeat(64), n: 1 })) as { text: string };
if (roundTrip.text.length !== 64) failures.push('msgpackr: round trip changed the message');
if (!isNativeAccelerationEnabled) failures.push('msgpackr-extract: native extension not loaded (msgpackr fell back to JavaScript)');

// ws requires 'bufferutil' from its own folder and silently falls back to JavaScript without it.
const wsRequire = createRequire(createRequire(import.meta.url).resolve('ws'));
let bufferutil = false;
try {
  const native = wsRequire('bufferutil') as { mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void };
  const output = Buffer.alloc(8);
  native.mask(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), Buffer.from([1, 1, 1, 1]), output, 0, 8);
  bufferutil = output.equals(Buffer.from([0, 3, 2, 5, 4, 7, 6, 9]));
  if (!bufferutil) failures.push('bufferutil: native mask gave a wrong result');
} catch (error) {
  failures.push(`bufferutil: native module not loaded from ws's folder (${(error as Error).message})`);
}

// ORT_DISABLE_TELEMETRY is set by the import above, before onnxruntime loaded.
if (existsSync(`/tmp/mat-debug-${process.pid}.log`)) failures.push(`onnxruntime telemetry wrote /tmp/mat-debug-${process.pid}.log`);

const summary = `node ${process.version} (napi ${process.versions.napi}): onnxruntime-node ${ort.env.versions.common}, msgpackr native ${isNativeAccelerationEnabled}, bufferutil native ${bufferutil}, tsx ok`;
if (failures.length > 0) {
  console.error(`check-runtime FAILED on ${summary}\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-runtime ok: ${summary}`);
