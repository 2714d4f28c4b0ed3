import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ItemOutcome } from './batch-execution.js';
import { runDeduplicated } from './batch-dedupe.js';

const item = (id: string, key?: string) => ({ id, key, inputs: [], rows: 1 });
const outcomeOf = (id: string): ItemOutcome => ({ ok: true, outputs: [{ name: id, datatype: 'FP32', shape: [1], data: Float32Array.of(1) }], inferenceMs: 1, batchRows: 1, batchRequests: 1 });

describe('runDeduplicated', () => {
  it('runs items with the same key once and gives every copy its outcome, in order', async () => {
    const ran: string[][] = [];
    const items = [item('a', 'k1'), item('b'), item('c', 'k1'), item('d', 'k2'), item('e'), item('f', 'k2'), item('g', 'k1')];
    const { outcomes, shared } = await runDeduplicated(items, (i) => i.key, async (unique) => {
      ran.push(unique.map((i) => i.id));
      return unique.map((i) => outcomeOf(i.id));
    });
    assert.deepEqual(ran, [['a', 'b', 'd', 'e']]);
    assert.equal(shared, 3);
    assert.deepEqual(outcomes.map((o) => (o.ok ? o.outputs[0]!.name : 'x')), ['a', 'b', 'a', 'd', 'e', 'd', 'a']);
  });

  it('runs everything when no item has a key', async () => {
    const items = [item('a'), item('b'), item('c')];
    const { outcomes, shared } = await runDeduplicated(items, (i) => i.key, async (unique) => unique.map((i) => outcomeOf(i.id)));
    assert.equal(shared, 0);
    assert.equal(outcomes.length, 3);
  });
});
