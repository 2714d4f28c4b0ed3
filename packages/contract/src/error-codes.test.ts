import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CODES, InferqError, isErrorCode, type ErrorCode } from './error-codes.js';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

describe('ERROR_CODES', () => {
  it('gives every code a 4xx or 5xx status and a description', () => {
    assert.ok(CODES.length >= 20);
    for (const code of CODES) {
      const { status, description } = ERROR_CODES[code];
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code}: ${status}`);
      assert.ok(description.length > 10, `${code} has a description`);
    }
  });

  it('names codes in UPPER_SNAKE_CASE', () => {
    for (const code of CODES) assert.match(code, /^[A-Z]+(_[A-Z0-9]+)*$/);
  });

  it('maps the well-known codes to their statuses', () => {
    const expected: Partial<Record<ErrorCode, number>> = {
      INVALID_JSON: 400,
      INVALID_REQUEST: 400,
      UNSUPPORTED_MEDIA_TYPE: 415,
      BODY_TOO_LARGE: 413,
      MODEL_NOT_FOUND: 404,
      VERSION_NOT_FOUND: 404,
      PREDICTION_NOT_FOUND: 404,
      INFERENCE_TIMEOUT: 504,
      QUEUE_UNAVAILABLE: 503,
      INTERNAL_ERROR: 500,
    };
    for (const [code, status] of Object.entries(expected)) assert.equal(ERROR_CODES[code as ErrorCode].status, status, code);
  });

  it('cannot be changed at run time', () => {
    assert.ok(Object.isFrozen(ERROR_CODES));
  });
});

describe('InferqError', () => {
  it('carries its code, the status from the registry and its message', () => {
    for (const code of CODES) {
      const error = new InferqError(code, `message for ${code}`);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'InferqError');
      assert.equal(error.code, code);
      assert.equal(error.statusCode, ERROR_CODES[code].status);
      assert.equal(error.message, `message for ${code}`);
    }
  });

  it('has the wire body { error: { code, message } } and nothing else', () => {
    const body = new InferqError('MODEL_NOT_FOUND', 'model "x" is not in the repository').toBody();
    assert.deepEqual(body, { error: { code: 'MODEL_NOT_FOUND', message: 'model "x" is not in the repository' } });
    assert.equal(JSON.stringify(body), '{"error":{"code":"MODEL_NOT_FOUND","message":"model \\"x\\" is not in the repository"}}');
  });

  it('keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    assert.equal(new InferqError('QUEUE_UNAVAILABLE', 'redis down', { cause }).cause, cause);
    assert.equal(new InferqError('QUEUE_UNAVAILABLE', 'redis down').cause, undefined);
  });

  it('has a stack trace', () => {
    assert.match(new InferqError('INTERNAL_ERROR', 'boom').stack ?? '', /InferqError: boom/);
  });
});

describe('isErrorCode', () => {
  it('accepts every registry code', () => {
    for (const code of CODES) assert.equal(isErrorCode(code), true, code);
  });

  it('rejects anything else, including inherited keys', () => {
    for (const value of ['invalid_json', 'NOPE', '', 'toString', '__proto__', 'constructor', 42, null, undefined, {}]) {
      assert.equal(isErrorCode(value), false, String(value));
    }
  });
});
