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

  it('cannot be changed at run time, neither a code nor its status', () => {
    assert.throws(() => { (ERROR_CODES as Record<string, unknown>).NEW_CODE = { status: 200, description: 'x' }; }, TypeError);
    assert.throws(() => { (ERROR_CODES.MODEL_NOT_FOUND as { status: number }).status = 200; }, TypeError);
    assert.equal(new InferqError('MODEL_NOT_FOUND', 'x').statusCode, 404);
  });

  it('answers 404 exactly for the *_NOT_FOUND codes, and 5xx only for faults on our side', () => {
    for (const code of CODES) assert.equal(ERROR_CODES[code].status === 404, code.endsWith('_NOT_FOUND'), code);
    const serverSide = CODES.filter((code) => ERROR_CODES[code].status >= 500).sort();
    assert.ok(serverSide.every((code) => !/^(INVALID|MISSING|UNKNOWN|DUPLICATE)_/.test(code)), serverSide.join(', '));
  });

  it('describes each code in its own words (no copy-pasted entry)', () => {
    const descriptions = CODES.map((code) => ERROR_CODES[code].description);
    assert.equal(new Set(descriptions).size, descriptions.length);
  });
});

describe('InferqError', () => {
  it('carries its code, the status from the registry and its message', () => {
    for (const code of CODES) {
      const error = new InferqError(code, `message for ${code}`);
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

  it('keeps the cause out of the wire body (internal details stay in the log)', () => {
    const cause = new Error('ECONNREFUSED 127.0.0.1:6379');
    const error = new InferqError('QUEUE_UNAVAILABLE', 'redis down', { cause });
    assert.equal(error.cause, cause, 'kept for the log');
    assert.doesNotMatch(JSON.stringify(error.toBody()), /ECONNREFUSED|6379/);
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
