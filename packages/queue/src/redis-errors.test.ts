import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutOfMemoryError } from './redis-errors.js';

describe('isOutOfMemoryError', () => {
  const oom = () => new Error("OOM command not allowed when used memory > 'maxmemory'.");

  it('finds OOM in the message or in previousErrors (EXECABORT of a MULTI)', () => {
    assert.equal(isOutOfMemoryError(oom()), true);
    assert.equal(isOutOfMemoryError(Object.assign(new Error('EXECABORT Transaction discarded'), { previousErrors: [new Error('x'), oom()] })), true);
    assert.equal(isOutOfMemoryError(new Error('Connection is closed.')), false);
    assert.equal(isOutOfMemoryError('OOM'), false);
  });

  it('terminates on an error listed among its own previousErrors', () => {
    const error = Object.assign(new Error('Connection is closed.'), { previousErrors: [] as unknown[] });
    error.previousErrors.push(error);
    assert.equal(isOutOfMemoryError(error), false);
  });
});
