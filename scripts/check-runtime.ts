/**
 * Checks, on the Node.js running it, the parts that depend on the runtime rather than on our code:
 * tsx (this file is TypeScript), onnxruntime-node's native binding (loads and runs the iris model),
 * and msgpackr's native extension (BullMQ decodes job data with it; without it msgpackr silently
 * falls back to slower JavaScript, which is why this is checked rather than assumed).
 * Exits non-zero naming what failed. `.ci/run` runs it on every Node line it tests.
 *
 * Run: node --import tsx scripts/check-runtime.ts
 */
import '@inferq/env/onnxruntime-defaults';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
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

// ORT_DISABLE_TELEMETRY is set by the import above, before onnxruntime loaded.
if (existsSync(`/tmp/mat-debug-${process.pid}.log`)) failures.push(`onnxruntime telemetry wrote /tmp/mat-debug-${process.pid}.log`);

const summary = `node ${process.version} (napi ${process.versions.napi}): onnxruntime-node ${ort.env.versions.common}, msgpackr native ${isNativeAccelerationEnabled}, tsx ok`;
if (failures.length > 0) {
  console.error(`check-runtime FAILED on ${summary}\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-runtime ok: ${summary}`);
