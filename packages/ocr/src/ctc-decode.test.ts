import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctcGreedyDecode } from './ctc-decode.js';

/** `steps` one-hot-ish rows: the given class gets `p`, the rest share 1 − p. */
function probs(classes: number, picks: readonly (readonly [number, number])[]): Float32Array {
  const out = new Float32Array(picks.length * classes);
  picks.forEach(([k, p], t) => {
    out.fill((1 - p) / (classes - 1), t * classes, (t + 1) * classes);
    out[t * classes + k] = p;
  });
  return out;
}

describe('ctcGreedyDecode', () => {
  const characters = ['a', 'b', 'c', ' '];

  it('collapses repeats, drops blanks, keeps a repeat split by a blank', () => {
    // a a _ a b b _ _ c ␣ c
    const p = probs(5, [[1, 0.9], [1, 0.8], [0, 0.9], [1, 0.7], [2, 0.6], [2, 0.9], [0, 0.9], [0, 0.9], [3, 0.5], [4, 0.95], [3, 0.85]]);
    const decoded = ctcGreedyDecode(p, 0, 11, 5, characters);
    assert.equal(decoded.text, 'aabc c');
    // Kept steps: the first of each run (0.9, 0.7, 0.6, 0.5, 0.95, 0.85).
    assert.ok(Math.abs(decoded.score - (0.9 + 0.7 + 0.6 + 0.5 + 0.95 + 0.85) / 6) < 1e-6);
  });

  it('reads nothing from all blanks with score 0, and decodes at an offset', () => {
    const blank = probs(5, [[0, 0.99], [0, 0.99]]);
    assert.deepEqual(ctcGreedyDecode(blank, 0, 2, 5, characters), { text: '', score: 0 });
    const two = new Float32Array([...blank, ...probs(5, [[2, 0.8], [0, 0.9]])]);
    assert.equal(ctcGreedyDecode(two, 10, 2, 5, characters).text, 'b');
  });

  it('refuses a dictionary that does not match the class count', () => {
    assert.throws(() => ctcGreedyDecode(new Float32Array(6), 0, 1, 6, characters), /6 classes but the dictionary 4 characters/);
  });
});
