import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineConfig, PipelineStep } from '@inferq/contract';
import { parseReference, planPipeline } from './pipeline-graph.js';

const config = (steps: PipelineStep[], from = 'c.output'): PipelineConfig => ({
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3], from }],
  steps,
});
const WHERE = 'p/pipeline.json';

describe('planPipeline', () => {
  it('orders steps so each comes after the steps it reads, whatever the file order', () => {
    const graph = planPipeline(config([
      { id: 'c', processor: 'merge', inputs: { a: 'a.output', b: 'b.probabilities' } },
      { id: 'b', model: 'm', inputs: { x: 'a.output' } },
      { id: 'a', processor: 'softmax', inputs: { input: '$input.x' } },
    ]), WHERE);
    const ids = graph.order.map((s) => s.step.id);
    assert.deepEqual(ids, ['a', 'b', 'c']);
    assert.deepEqual(graph.order[2]!.after, ['a', 'b']);
    assert.deepEqual(graph.outputs.get('y'), { kind: 'step', step: 'c', tensor: 'output' });
  });
  it('reports a cycle with its path', () => {
    assert.throws(() => planPipeline(config([
      { id: 'a', processor: 'softmax', inputs: { input: 'c.output' } },
      { id: 'b', processor: 'softmax', inputs: { input: 'a.output' } },
      { id: 'c', processor: 'softmax', inputs: { input: 'b.output' } },
    ]), WHERE), /p\/pipeline.json: the steps form a cycle: a → c → b → a/);
  });
  it('reports unknown steps and inputs, naming the reader', () => {
    assert.throws(() => planPipeline(config([{ id: 'c', processor: 'softmax', inputs: { input: 'nope.output' } }]), WHERE), /step "c" input "input": no step has the id "nope"/);
    assert.throws(() => planPipeline(config([{ id: 'c', processor: 'softmax', inputs: { input: '$input.z' } }]), WHERE), /"\$input.z" is not an input of the pipeline \(x\)/);
    assert.throws(() => planPipeline(config([{ id: 'c', processor: 'softmax', inputs: { input: '$input.x' } }], 'd.output'), WHERE), /output "y": no step has the id "d"/);
  });
  it('refuses duplicate ids, steps of no or two kinds, and steps nothing reads', () => {
    assert.throws(() => planPipeline(config([
      { id: 'c', processor: 'softmax', inputs: { input: '$input.x' } },
      { id: 'c', processor: 'argmax', inputs: { input: '$input.x' } },
    ]), WHERE), /steps\[1\] "c": the id is used twice/);
    assert.throws(() => planPipeline(config([{ id: 'c', model: 'm', processor: 'softmax', inputs: { input: '$input.x' } }]), WHERE), /exactly one of "model", "processor" or "module" \(it has model, processor\)/);
    assert.throws(() => planPipeline(config([{ id: 'c', inputs: { input: '$input.x' } }]), WHERE), /\(it has none\)/);
    assert.throws(() => planPipeline(config([
      { id: 'c', processor: 'softmax', inputs: { input: '$input.x' } },
      { id: 'idle', processor: 'argmax', inputs: { input: '$input.x' } },
    ]), WHERE), /no output depends on step\(s\) "idle"/);
  });
});

describe('parseReference', () => {
  it('splits at the first dot: tensor names may hold dots (PaddleOCR\'s "softmax_0.tmp_0")', () => {
    assert.deepEqual(parseReference('cls.softmax_0.tmp_0'), { kind: 'step', step: 'cls', tensor: 'softmax_0.tmp_0' });
    assert.deepEqual(parseReference('$input.image'), { kind: 'input', name: 'image' });
  });
});
