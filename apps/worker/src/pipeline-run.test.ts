import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError, PredictionFailure, type PipelineConfig, type PredictionJobData } from '@inferq/contract';
import type { LoadedPipeline } from '@inferq/model-repository';
import { planPipeline, type NamedTensors } from '@inferq/processing';
import type { Tensor } from '@inferq/tensor';
import { runPipeline } from './pipeline-run.js';
import { processingStep, type RunnableStep } from './pipeline-steps.js';

const JOB = { id: 'p1', model: 'p', version: '1', inputs: [], createdAt: 0, origin: 'test' } satisfies PredictionJobData;
const scalar = (value: number): Tensor => ({ name: 'v', datatype: 'FP32', shape: [1], data: Float32Array.of(value) });
const valueOf = (tensors: NamedTensors, name: string) => (tensors[name]!.data as Float32Array)[0]!;

/** A diamond: a → (b, c) → d, d = b + c. */
function diamond(): LoadedPipeline {
  const config: PipelineConfig = {
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [-1], from: 'd.output' }],
    steps: [
      { id: 'a', module: './a.js', inputs: { input: '$input.x' } },
      { id: 'b', module: './b.js', inputs: { input: 'a.output' } },
      { id: 'c', module: './c.js', inputs: { input: 'a.output' } },
      { id: 'd', module: './d.js', inputs: { left: 'b.output', right: 'c.output' } },
    ],
  };
  return { dir: '/p/1', config, graph: planPipeline(config, 'p'), stepModels: new Map() };
}

/** A step that waits `gate` before answering `f(input)`; records when it started. */
function step(id: string, f: (inputs: NamedTensors) => number, log: string[], gate: Promise<void> = Promise.resolve()): RunnableStep {
  return {
    id, kind: 'module',
    async run(inputs) {
      log.push(`start ${id}`);
      await gate;
      log.push(`end ${id}`);
      return { outputs: { output: scalar(f(inputs)) } };
    },
  };
}

describe('runPipeline', () => {
  it('runs independent branches at the same time and feeds each step its inputs by name', async () => {
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    const steps = new Map([
      ['a', step('a', (i) => valueOf(i, 'input') + 1, log)],
      ['b', step('b', (i) => valueOf(i, 'input') * 10, log, gate)],
      ['c', step('c', (i) => valueOf(i, 'input') * 100, log, gate)],
      ['d', step('d', (i) => valueOf(i, 'left') + valueOf(i, 'right'), log)],
    ]);
    const running = runPipeline(diamond(), steps, { x: scalar(1) }, JOB);
    // Both branches start before either can end: they wait on the same gate.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'start c']);
    open();
    const result = await running;
    assert.equal(result.outputs[0]!.name, 'y');
    assert.equal((result.outputs[0]!.data as Float32Array)[0], 2 * 10 + 2 * 100);
    assert.deepEqual(result.steps.map((s) => s.id).sort(), ['a', 'b', 'c', 'd']);
    assert.equal(result.steps.at(-1)!.id, 'd');
  });

  it('fails with the first failing step\'s failure, and names a missing output', async () => {
    const log: string[] = [];
    const broken: RunnableStep = { id: 'c', kind: 'module', run: () => Promise.reject(new PredictionFailure('STEP_FAILED', 'step "c" failed: no')) };
    const steps = new Map([['a', step('a', () => 1, log)], ['b', step('b', () => 2, log)], ['c', broken], ['d', step('d', () => 3, log)]]);
    await assert.rejects(runPipeline(diamond(), steps, { x: scalar(1) }, JOB), (e: unknown) => e instanceof PredictionFailure && /step "c" failed: no/.test(e.message));
    assert.ok(!log.includes('start d'), 'the join never ran');
    const silent: RunnableStep = { id: 'b', kind: 'module', run: async () => ({ outputs: { other: scalar(1) } }) };
    await assert.rejects(runPipeline(diamond(), new Map([...steps, ['b', silent], ['c', step('c', () => 1, log)]]), { x: scalar(1) }, JOB),
      (e: unknown) => e instanceof PredictionFailure && e.code === 'STEP_FAILED' && /step "b" gave no output "output" \(it gave other\), which step "d" reads/.test(e.message));
  });
});

describe('processingStep', () => {
  const ctxInputs = { input: scalar(1) };
  it('turns a throw into STEP_FAILED naming the step, and keeps an InferqError\'s code', async () => {
    const throwing = processingStep('calib', 'module', { run: () => { throw new Error('table empty'); } }, 1000);
    await assert.rejects(throwing.run(ctxInputs, JOB), (e: unknown) => e instanceof PredictionFailure && e.code === 'STEP_FAILED' && e.detail === 'step "calib" failed: table empty');
    const bad = processingStep('img', 'processor', { run: () => { throw new InferqError('INVALID_IMAGE', 'image[0] is not an image'); } }, 1000);
    await assert.rejects(bad.run(ctxInputs, JOB), (e: unknown) => e instanceof PredictionFailure && e.code === 'INVALID_IMAGE' && /step "img": image\[0\]/.test(e.message));
  });
  it('fails with STEP_TIMEOUT past the limit and aborts the step\'s signal', async () => {
    let aborted = false;
    const slow = processingStep('sleepy', 'module', {
      run: (_inputs, { signal }) => new Promise((resolve) => {
        const timer = setTimeout(() => resolve({}), 10_000);
        signal.addEventListener('abort', () => { aborted = true; clearTimeout(timer); resolve({}); });
      }),
    }, 20);
    await assert.rejects(slow.run(ctxInputs, JOB), (e: unknown) => e instanceof PredictionFailure && e.code === 'STEP_TIMEOUT' && /step "sleepy" ran longer than its time limit of 20 ms/.test(e.message));
    assert.ok(aborted);
  });
});
