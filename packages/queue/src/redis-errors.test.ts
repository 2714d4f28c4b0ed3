import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutOfMemoryError } from './redis-errors.js';

/** An EXEC error as ioredis builds it: `previousErrors` lists the queued commands' errors. */
const execError = (message: string, previous: unknown[]) => Object.assign(new Error(message), { previousErrors: previous });

describe('isOutOfMemoryError', () => {
  it('finds OOM in the message or in an EXEC error\'s previousErrors', () => {
    assert.equal(isOutOfMemoryError(new Error("OOM command not allowed when used memory > 'maxmemory'.")), true);
    assert.equal(isOutOfMemoryError(execError('EXECABORT Transaction discarded', [new Error('OOM command not allowed')])), true);
    assert.equal(isOutOfMemoryError(new Error('Connection is closed.')), false);
    assert.equal(isOutOfMemoryError('OOM'), false);
  });

  it('ends on an error listed in its own previousErrors (a MULTI cut off by a dropped connection)', () => {
    const dropped = execError('Reached the max retries per request limit (which is 1).', []);
    dropped.previousErrors.push(dropped, dropped);
    assert.equal(isOutOfMemoryError(dropped), false);
    const outer = execError('EXECABORT', [dropped, new Error('OOM command not allowed')]);
    dropped.previousErrors.push(outer);
    assert.equal(isOutOfMemoryError(dropped), true);
  });
});
