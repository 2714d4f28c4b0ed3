import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutOfMemoryError } from './redis-errors.js';

const oom = () => new Error("OOM command not allowed when used memory > 'maxmemory'.");

describe('isOutOfMemoryError', () => {
  it("recognises Redis's OOM refusal, directly and inside an aborted MULTI", () => {
    assert.equal(isOutOfMemoryError(oom()), true);
    const aborted = Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), { previousErrors: [oom()] });
    assert.equal(isOutOfMemoryError(aborted), true);
  });

  it('does not take other failures for it, and ends on an error listed among its own previous errors', () => {
    assert.equal(isOutOfMemoryError(new Error('Connection is closed.')), false);
    assert.equal(isOutOfMemoryError('OOM'), false);
    const closed = new Error('Connection is closed.') as Error & { previousErrors: unknown[] };
    closed.previousErrors = [closed];
    assert.equal(isOutOfMemoryError(closed), false);
  });
});
