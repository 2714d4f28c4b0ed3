import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { InferqError } from '@inferq/contract';
import type { Tensor } from '@inferq/tensor';
import type { NamedTensors, ProcessorDefinition, StepSource } from '../step.js';
import { argmax } from './argmax.js';
import { image, imageToChw } from './image.js';
import { labels } from './labels.js';
import { merge } from './merge.js';
import { namedFeatures } from './named-features.js';
import { softmax } from './softmax.js';
import { topk } from './topk.js';

const SOURCE: StepSource = { dir: '/models/p/1', where: '/models/p/1/pipeline.json: steps[0] "s"' };
const ctx = { stepId: 's', signal: new AbortController().signal };
const fp32 = (shape: number[], values: number[]): Tensor => ({ name: 'input', datatype: 'FP32', shape, data: Float32Array.from(values) });
const run = async (definition: ProcessorDefinition, options: Record<string, unknown>, inputs: NamedTensors) => definition.create(options, SOURCE).run(inputs, ctx);
const close = (actual: ArrayLike<number>, expected: number[], tolerance = 1e-6) => {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i]! - e) <= tolerance, `[${i}] ${actual[i]} vs ${e}`));
};
const code = (expected: string, message: RegExp) => (error: unknown) => error instanceof InferqError && error.code === expected && message.test(error.message);

describe('softmax', () => {
  it('normalises each row, stable for large logits', async () => {
    const { output } = await run(softmax, {}, { input: fp32([2, 3], [1, 2, 3, 1000, 1000, 1000]) });
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const sum = e[0]! + e[1]! + e[2]!;
    close(output!.data as Float32Array, [e[0]! / sum, e[1]! / sum, e[2]! / sum, 1 / 3, 1 / 3, 1 / 3]);
    assert.deepEqual(output!.shape, [2, 3]);
  });
  it('refuses options', () => {
    assert.throws(() => softmax.create({ axis: 1 }, SOURCE), /steps\[0\] "s": unknown option "axis"/);
  });
});

describe('argmax and topk', () => {
  it('argmax picks the first largest of each row', async () => {
    const { output } = await run(argmax, {}, { input: fp32([3, 3], [0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1]) });
    assert.deepEqual([...(output!.data as BigInt64Array)], [1n, 0n, 2n]);
    assert.equal(output!.datatype, 'INT64');
  });
  it('topk returns the k best values and indices, best first, k capped at the classes', async () => {
    const out = await run(topk, { k: 2 }, { input: fp32([2, 4], [0.1, 0.4, 0.3, 0.2, 4, 3, 2, 1]) });
    assert.deepEqual(out.indices!.shape, [2, 2]);
    assert.deepEqual([...(out.indices!.data as BigInt64Array)], [1n, 2n, 0n, 1n]);
    close(out.values!.data as Float32Array, [0.4, 0.3, 4, 3]);
    const capped = await run(topk, { k: 10 }, { input: fp32([1, 3], [1, 2, 3]) });
    assert.deepEqual(capped.values!.shape, [1, 3]);
    assert.throws(() => topk.create({ k: 0 }, SOURCE), /option "k" must be an integer in \[1, 1000\]/);
  });
});

describe('labels', () => {
  it('names the best class, its score and every probability', async () => {
    const { output } = await run(labels, { labels: ['a', 'b', 'c'], top: 2 }, { input: fp32([2, 3], [0.1, 0.7, 0.2, 0.6, 0.3, 0.1]) });
    assert.equal(output!.datatype, 'BYTES');
    const rows = (output!.data as string[]).map((s) => JSON.parse(s) as { label: string; score: number; probabilities: Record<string, number>; top: Array<{ label: string }> });
    assert.deepEqual(rows.map((r) => r.label), ['b', 'a']);
    assert.ok(Math.abs(rows[0]!.score - 0.7) < 1e-6);
    assert.deepEqual(Object.keys(rows[1]!.probabilities), ['a', 'b', 'c']);
    assert.deepEqual(rows[1]!.top.map((t) => t.label), ['a', 'b']);
  });
  it('refuses a class count that differs from the labels, and missing labels', async () => {
    await assert.rejects(async () => run(labels, { labels: ['a', 'b'] }, { input: fp32([1, 3], [1, 2, 3]) }), /3 classes, the step names 2/);
    assert.throws(() => labels.create({}, SOURCE), /option "labels" must be a non-empty array/);
    assert.throws(() => labels.create({ labels: ['a', 'a'] }, SOURCE), /holds a name twice/);
  });
});

describe('named-features', () => {
  const featureNames = ['x', 'y'];
  const rows = (...values: string[]): NamedTensors => ({ input: { name: 'features', datatype: 'BYTES', shape: [values.length], data: values } });
  it('orders the fields as declared, whatever their order in the row', async () => {
    const { output } = await run(namedFeatures, { featureNames }, rows('{"y": 2, "x": 1}', '{"x": 3.5, "y": -4}'));
    assert.deepEqual(output!.shape, [2, 2]);
    assert.deepEqual([...(output!.data as Float32Array)], [1, 2, 3.5, -4]);
  });
  it('names the missing, unknown or non-numeric field and the row', async () => {
    const step = namedFeatures.create({ featureNames }, SOURCE);
    await assert.rejects(async () => step.run(rows('{"x": 1, "y": 2}', '{"x": 1}'), ctx), code('MISSING_FEATURE', /features\[1\]: field "y" is missing/));
    await assert.rejects(async () => step.run(rows('{"x": 1, "y": 2, "z": 3}'), ctx), code('UNKNOWN_FEATURE', /field "z" is not a feature/));
    await assert.rejects(async () => step.run(rows('{"x": "1", "y": 2}'), ctx), code('INVALID_FEATURE', /field "x" must be a finite number/));
    await assert.rejects(async () => step.run(rows('{"x": null, "y": 2}'), ctx), code('INVALID_FEATURE', /field "x"/));
    await assert.rejects(async () => step.run(rows('[1, 2]'), ctx), code('INVALID_FEATURE', /must be an object/));
    await assert.rejects(async () => step.run(rows('nope'), ctx), code('INVALID_FEATURE', /not a JSON object/));
  });
});

describe('merge', () => {
  const a = fp32([2, 3], [0.2, 0.5, 0.3, 0.9, 0.05, 0.05]);
  const b = fp32([2, 3], [0.6, 0.3, 0.1, 0.1, 0.1, 0.8]);
  it('mean averages element-wise', async () => {
    const { output } = await run(merge, { method: 'mean' }, { a, b });
    close(output!.data as Float32Array, [0.4, 0.4, 0.2, 0.5, 0.075, 0.425]);
  });
  it('vote gives each branch one vote per row', async () => {
    const { output } = await run(merge, { method: 'vote' }, { a, b, c: fp32([2, 3], [0, 1, 0, 0, 0, 1]) });
    close(output!.data as Float32Array, [1 / 3, 2 / 3, 0, 1 / 3, 0, 2 / 3]);
  });
  it('concat puts the rows side by side, inputs in name order', async () => {
    const { output } = await run(merge, { method: 'concat' }, { b: fp32([1, 1], [9]), a: fp32([1, 2], [1, 2]) });
    assert.deepEqual(output!.shape, [1, 3]);
    assert.deepEqual([...(output!.data as Float32Array)], [1, 2, 9]);
  });
  it('refuses disagreeing shapes and unknown methods', async () => {
    await assert.rejects(async () => run(merge, {}, { a, b: fp32([1, 3], [1, 2, 3]) }), /disagree on rows/);
    assert.throws(() => merge.create({ method: 'median' }, SOURCE), /option "method" must be one of mean, vote, concat/);
  });
});

describe('image', () => {
  /** A 4×2 RGB PNG: left half red, right half blue. */
  const png = () => sharp(Buffer.from([255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]), { raw: { width: 4, height: 2, channels: 3 } }).png().toBuffer();
  it('decodes, resizes and lays out CHW, normalised', async () => {
    const values = await imageToChw(await png(), { width: 4, height: 2, fit: 'fill', channels: 3, padValue: 0, scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, 'img');
    assert.equal(values.length, 3 * 2 * 4);
    // red plane: 1 on the left half, -1 on the right; blue plane the opposite.
    close(values.subarray(0, 8), [1, 1, -1, -1, 1, 1, -1, -1]);
    close(values.subarray(16, 24), [-1, -1, 1, 1, -1, -1, 1, 1]);
  });
  it('pads (contain) keeping the aspect ratio', async () => {
    const values = await imageToChw(await png(), { width: 4, height: 4, fit: 'contain', channels: 1, padValue: 0, scale: 1, mean: [0], std: [1] }, 'img');
    assert.equal(values.length, 16);
    close(values.subarray(8, 16), new Array(8).fill(0), 0); // the bottom half is padding
    assert.ok(values.subarray(0, 8).every((v) => v > 0), 'the image is in the top half');
  });
  it('runs as a step on base64 strings and refuses what is not an image', async () => {
    const step = image.create({ width: 2, height: 2 }, SOURCE);
    const b64 = (await png()).toString('base64');
    const { output } = await step.run({ input: { name: 'image', datatype: 'BYTES', shape: [2], data: [b64, b64] } }, ctx);
    assert.deepEqual(output!.shape, [2, 3, 2, 2]);
    await assert.rejects(async () => step.run({ input: { name: 'image', datatype: 'BYTES', shape: [1], data: [Buffer.from('GIF89a not really').toString('base64')] } }, ctx), code('INVALID_IMAGE', /image\[0\]/));
    await assert.rejects(async () => step.run({ input: { name: 'image', datatype: 'BYTES', shape: [1], data: ['***'] } }, ctx), code('INVALID_IMAGE', /base64/));
    assert.throws(() => image.create({ width: 2 }, SOURCE), /option "height" must be an integer/);
    const small = image.create({ width: 2, height: 2, maxPixels: 7 }, SOURCE);
    await assert.rejects(async () => small.run({ input: { name: 'image', datatype: 'BYTES', shape: [1], data: [b64] } }, ctx), code('IMAGE_TOO_LARGE', /4×2 pixels is more than 7/));
  });
});
