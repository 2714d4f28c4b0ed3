import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError } from '@inferq/contract';
import { PRIORITY_CLASSES, readRequestOptions } from './request-options.js';

const body = (parameters?: Record<string, unknown>) => ({ inputs: [], ...(parameters ? { parameters } : {}) });
const refuses = (fn: () => unknown, field: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof InferqError && e.code === 'INVALID_REQUEST' && field.test(e.message));

describe('readRequestOptions', () => {
  it('defaults to normal priority and the default timeout (0 = none)', () => {
    assert.deepEqual(readRequestOptions(body(), undefined, 0), { priority: PRIORITY_CLASSES.normal });
    assert.deepEqual(readRequestOptions(body(), undefined, 2_000), { priority: PRIORITY_CLASSES.normal, timeoutMs: 2_000 });
    assert.deepEqual(readRequestOptions('not an object', undefined, 0), { priority: PRIORITY_CLASSES.normal });
  });

  it('maps priority classes and accepts integers 1–1000, lower first', () => {
    assert.ok(PRIORITY_CLASSES.high < PRIORITY_CLASSES.normal && PRIORITY_CLASSES.normal < PRIORITY_CLASSES.low);
    for (const [name, value] of Object.entries(PRIORITY_CLASSES)) assert.equal(readRequestOptions(body({ priority: name }), undefined, 0).priority, value);
    assert.equal(readRequestOptions(body({ priority: 1 }), undefined, 0).priority, 1);
    assert.equal(readRequestOptions(body({ priority: 1000 }), undefined, 0).priority, 1000);
    for (const priority of ['HIGH', 'urgent', 0, 1001, 2.5, -1, null, true, [1]]) refuses(() => readRequestOptions(body({ priority }), undefined, 0), /parameters\.priority/);
  });

  it('takes the shorter of parameters.timeout_ms and Request-Timeout-Ms over the default', () => {
    assert.equal(readRequestOptions(body({ timeout_ms: 300 }), undefined, 5_000).timeoutMs, 300);
    assert.equal(readRequestOptions(body(), '400', 5_000).timeoutMs, 400);
    assert.equal(readRequestOptions(body(), ' 400 ', 0).timeoutMs, 400);
    assert.equal(readRequestOptions(body({ timeout_ms: 300 }), '200', 0).timeoutMs, 200);
    assert.equal(readRequestOptions(body({ timeout_ms: 300 }), '9000', 0).timeoutMs, 300);
    assert.equal(readRequestOptions(body({ timeout_ms: 10_000 }), undefined, 50).timeoutMs, 10_000, 'an explicit timeout may exceed the default');
  });

  it('refuses timeouts that are not whole milliseconds in [1, one day]', () => {
    for (const timeout_ms of [0, -1, 1.5, '100', null, 86_400_001, Number.NaN]) refuses(() => readRequestOptions(body({ timeout_ms }), undefined, 0), /parameters\.timeout_ms/);
    for (const header of ['', 'abc', '0', '-1', '1.5', '1e3', '9999999999']) refuses(() => readRequestOptions(body(), header, 0), /Request-Timeout-Ms/);
    refuses(() => readRequestOptions(body(), ['100', '200'], 0), /Request-Timeout-Ms/);
  });
});
