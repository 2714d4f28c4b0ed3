import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionOptionsOf } from './session-options.js';

describe('sessionOptionsOf', () => {
  const defaults = { device: { kind: 'cpu' as const, label: 'cpu' as const }, intraOpThreads: 4, allowSpinning: false };
  it('is the worker defaults when the version sets nothing', () => {
    assert.deepEqual(sessionOptionsOf({}, defaults), defaults);
  });
  it('takes each field the version sets over the defaults, and keeps the others', () => {
    assert.deepEqual(sessionOptionsOf({ onnxruntime: { intraOpThreads: 1, executionMode: 'parallel', interOpThreads: 2, enableCpuMemArena: false } }, defaults), {
      device: defaults.device, intraOpThreads: 1, allowSpinning: false, executionMode: 'parallel', interOpThreads: 2, enableCpuMemArena: false,
    });
    assert.deepEqual(sessionOptionsOf({ onnxruntime: { allowSpinning: true, graphOptimizationLevel: 'basic', enableMemPattern: false } }, defaults), {
      ...defaults, allowSpinning: true, graphOptimizationLevel: 'basic', enableMemPattern: false,
    });
  });
});
