import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError, type ErrorCode } from '@inferq/contract';
import { DEFAULT_VALIDATION_LIMITS, validateInferenceRequest, type ModelSignature } from './validate-request.js';

/** Iris-like: one FP32 [-1, 4] input, batching up to 8 rows. */
const IRIS: ModelSignature = {
  inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [
    { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    { name: 'label', datatype: 'INT64', shape: [-1] },
  ],
  maxBatchSize: 8,
};

/** Two inputs that must agree on the batch dimension. */
const PAIR: ModelSignature = {
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [-1, 2] },
    { name: 'b', datatype: 'INT64', shape: [-1] },
  ],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
  maxBatchSize: 4,
};

/** A model that does not batch: shapes are taken whole. */
const FIXED: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'INT32', shape: [2, 3] }],
  outputs: [{ name: 'y', datatype: 'INT32', shape: [2, 3] }],
  maxBatchSize: 0,
};

/** An image model with dynamic spatial dims. */
const IMAGE: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
  maxBatchSize: 32,
};

/** A single-input model of the given datatype and shape. */
const single = (datatype: ModelSignature['inputs'][number]['datatype'], shape: number[], maxBatchSize = 16): ModelSignature => ({
  inputs: [{ name: 'x', datatype, shape }],
  outputs: [{ name: 'y', datatype, shape }],
  maxBatchSize,
});

const irisRequest = (data: unknown, shape: unknown = [1, 4], extra: Record<string, unknown> = {}) => ({
  inputs: [{ name: 'features', datatype: 'FP32', shape, data }],
  ...extra,
});

/** Asserts that `fn` throws an InferqError with `code` whose message matches every pattern. */
function throwsCode(fn: () => unknown, code: ErrorCode, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InferqError, `expected an InferqError, got ${String(error)}`);
    assert.equal(error.code, code, `code (message: ${error.message})`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('validateInferenceRequest: structure (INVALID_REQUEST)', () => {
  for (const body of [null, undefined, 42, 'text', [], [{ inputs: [] }]]) {
    it(`rejects a body of ${JSON.stringify(body)}`, () => {
      throwsCode(() => validateInferenceRequest(body, IRIS), 'INVALID_REQUEST', /body must be a JSON object/);
    });
  }

  it('rejects a non-string id', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { id: 7 }), IRIS), 'INVALID_REQUEST', /"id" must be a string/);
  });

  it('rejects an id over 256 characters and accepts exactly 256', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { id: 'x'.repeat(257) }), IRIS), 'INVALID_REQUEST', /"id".*256/);
    const ok = validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { id: 'x'.repeat(256) }), IRIS);
    assert.equal(ok.requestId, 'x'.repeat(256));
  });

  it('rejects parameters that are not an object', () => {
    for (const parameters of [[1], 'p', 3, null]) {
      throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { parameters }), IRIS), 'INVALID_REQUEST', /"parameters"/);
    }
  });

  it('accepts an object of parameters', () => {
    assert.equal(validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { parameters: { a: 1 } }), IRIS).batchSize, 1);
  });

  it('rejects missing, non-array and empty inputs', () => {
    throwsCode(() => validateInferenceRequest({}, IRIS), 'INVALID_REQUEST', /"inputs" must be an array/);
    throwsCode(() => validateInferenceRequest({ inputs: { name: 'features' } }, IRIS), 'INVALID_REQUEST', /"inputs" must be an array/);
    throwsCode(() => validateInferenceRequest({ inputs: [] }, IRIS), 'INVALID_REQUEST', /"inputs" must not be empty/);
  });

  it('rejects an input that is not an object', () => {
    throwsCode(() => validateInferenceRequest({ inputs: [[1, 2]] }, PAIR), 'INVALID_REQUEST', /inputs\[0\] must be an object/);
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] }, null] }, PAIR),
      'INVALID_REQUEST',
      /inputs\[1\] must be an object/,
    );
  });

  it('rejects an input without a string name', () => {
    throwsCode(() => validateInferenceRequest({ inputs: [{ datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }, IRIS), 'INVALID_REQUEST', /inputs\[0\]\.name must be a string/);
    throwsCode(() => validateInferenceRequest({ inputs: [{ name: 3, datatype: 'FP32', shape: [1, 4], data: [] }] }, IRIS), 'INVALID_REQUEST', /inputs\[0\]\.name/);
  });

  it('rejects a datatype that is not a v2 datatype, naming the input', () => {
    for (const datatype of ['FLOAT32', 'fp32', undefined, 1]) {
      throwsCode(
        () => validateInferenceRequest({ inputs: [{ name: 'features', datatype, shape: [1, 4], data: [1, 2, 3, 4] }] }, IRIS),
        'INVALID_REQUEST',
        /input "features": datatype must be one of/,
      );
    }
  });

  it('rejects shapes that are not arrays of non-negative integers', () => {
    for (const shape of [undefined, '1,4', [1, -4], [1, 4.5], [1, '4'], [1, Number.NaN], [1, 2 ** 53]]) {
      const body = { inputs: [{ name: 'features', datatype: 'FP32', shape, data: [1, 2, 3, 4] }] };
      throwsCode(() => validateInferenceRequest(body, IRIS), 'INVALID_REQUEST', /input "features": shape must be an array of non-negative integers/);
    }
  });

  it('rejects data that is not an array', () => {
    for (const data of [undefined, { 0: 1 }, 5]) {
      throwsCode(() => validateInferenceRequest(irisRequest(data), IRIS), 'INVALID_REQUEST', /input "features": data must be an array/);
    }
    // A string is base64 of little-endian bytes; '1,2,3,4' is not base64.
    throwsCode(() => validateInferenceRequest(irisRequest('1,2,3,4'), IRIS), 'INVALID_TENSOR_DATA', /input "features": data is a string but not valid base64/);
  });

  it('rejects a scalar input on a batching model', () => {
    const scalar = single('FP32', [], 4);
    throwsCode(() => validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [], data: [1] }] }, scalar), 'INVALID_REQUEST', /input "x".*batch dimension/);
  });

  it('rejects outputs that are not an array of named objects', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { outputs: 'label' }), IRIS), 'INVALID_REQUEST', /"outputs" must be an array/);
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { outputs: ['label'] }), IRIS), 'INVALID_REQUEST', /outputs\[0\]\.name must be a string/);
    throwsCode(
      () => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { outputs: [{ name: 'label' }, { name: 1 }] }), IRIS),
      'INVALID_REQUEST',
      /outputs\[1\]\.name must be a string/,
    );
  });
});

describe('validateInferenceRequest: inputs against the signature', () => {
  it('UNKNOWN_INPUT names the unknown input and lists the expected ones', () => {
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'petals', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }, IRIS),
      'UNKNOWN_INPUT',
      /input "petals" is not an input/,
      /expected features/,
    );
  });

  it('UNKNOWN_INPUT truncates a huge name', () => {
    const name = 'n'.repeat(10_000);
    assert.throws(
      () => validateInferenceRequest({ inputs: [{ name, datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }, IRIS),
      (error: unknown) => error instanceof InferqError && error.code === 'UNKNOWN_INPUT' && error.message.length < 200,
    );
  });

  it('UNKNOWN_INPUT when there are more inputs than the model takes', () => {
    const input = { name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] };
    throwsCode(() => validateInferenceRequest({ inputs: [input, input] }, IRIS), 'UNKNOWN_INPUT', /2 inputs but the model takes 1/);
  });

  it('MISSING_INPUT names the absent input', () => {
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] }, PAIR),
      'MISSING_INPUT',
      /input "b" is required/,
    );
  });

  it('DUPLICATE_INPUT names the repeated input', () => {
    const a = { name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] };
    throwsCode(() => validateInferenceRequest({ inputs: [a, a] }, PAIR), 'DUPLICATE_INPUT', /input "a" appears more than once/);
  });

  it('DATATYPE_MISMATCH names the input and both datatypes', () => {
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'features', datatype: 'FP64', shape: [1, 4], data: [1, 2, 3, 4] }] }, IRIS),
      'DATATYPE_MISMATCH',
      /input "features"/,
      /FP64/,
      /FP32/,
    );
  });
});

describe('validateInferenceRequest: shapes (SHAPE_MISMATCH)', () => {
  it('rejects a wrong rank', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4], [4]), IRIS), 'SHAPE_MISMATCH', /input "features": rank 1/, /rank 2/);
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 1, 4]), IRIS), 'SHAPE_MISMATCH', /input "features": rank 3/);
  });

  it('rejects a fixed dimension of the wrong size', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4, 5], [1, 5]), IRIS), 'SHAPE_MISMATCH', /input "features": dimension 1 is 5 but the model needs 4/);
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'INT32', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }] }, FIXED),
      'SHAPE_MISMATCH',
      /input "x": dimension 0 is 3 but the model needs 2/,
    );
  });

  it('rejects inputs that disagree on the batch dimension', () => {
    throwsCode(
      () =>
        validateInferenceRequest(
          {
            inputs: [
              { name: 'a', datatype: 'FP32', shape: [2, 2], data: [1, 2, 3, 4] },
              { name: 'b', datatype: 'INT64', shape: [3], data: [1, 2, 3] },
            ],
          },
          PAIR,
        ),
      'SHAPE_MISMATCH',
      /input "b": batch dimension 3 differs from the other inputs' 2/,
    );
  });

  it('rejects zero-sized dimensions, fixed-free or batch', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([], [0, 4]), IRIS), 'SHAPE_MISMATCH', /input "features": dimension 0 must be at least 1/);
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 0, 5], data: [] }] }, IMAGE),
      'SHAPE_MISMATCH',
      /input "x": dimension 2 must be at least 1/,
    );
  });

  it('accepts any size for dynamic dimensions', () => {
    const data = Array.from({ length: 2 * 3 * 5 * 7 }, (_, i) => i);
    const result = validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3, 5, 7], data }] }, IMAGE);
    assert.deepEqual(result.inputs[0]!.shape, [2, 3, 5, 7]);
    assert.equal(result.batchSize, 2);
    assert.equal(result.inputs[0]!.data.length, 210);
  });
});

describe('validateInferenceRequest: data', () => {
  it('ELEMENT_COUNT_MISMATCH for too few or too many flat values', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3]), IRIS), 'ELEMENT_COUNT_MISMATCH', /input "features": data has 3 values but shape \[1, 4\] needs 4/);
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, 4, 5]), IRIS), 'ELEMENT_COUNT_MISMATCH', /input "features"/, /5 values/);
  });

  it('ELEMENT_COUNT_MISMATCH for too few or too many nested values', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([[1, 2, 3, 4], [5, 6, 7]], [2, 4]), IRIS), 'ELEMENT_COUNT_MISMATCH', /input "features"/);
    throwsCode(() => validateInferenceRequest(irisRequest([[1, 2, 3, 4], [5, 6, 7, 8, 9]], [2, 4]), IRIS), 'ELEMENT_COUNT_MISMATCH', /input "features"/);
  });

  it('INVALID_TENSOR_DATA for a string in a number tensor, naming input and index', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, '3', 4]), IRIS), 'INVALID_TENSOR_DATA', /input "features": data\[2\] is "3", expected a finite number for FP32/);
  });

  it('INVALID_TENSOR_DATA for null and booleans in a number tensor', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([null, 2, 3, 4]), IRIS), 'INVALID_TENSOR_DATA', /data\[0\] is null/);
    throwsCode(() => validateInferenceRequest(irisRequest([1, 2, 3, true]), IRIS), 'INVALID_TENSOR_DATA', /data\[3\] is true/);
  });

  it('INVALID_TENSOR_DATA for 1.5 in INT32', () => {
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'INT32', shape: [2, 3], data: [1, 2, 1.5, 4, 5, 6] }] }, FIXED),
      'INVALID_TENSOR_DATA',
      /input "x": data\[2\] is 1\.5, expected an integer in \[-2147483648, 2147483647\] for INT32/,
    );
  });

  it('INVALID_TENSOR_DATA for out-of-range UINT8', () => {
    const model = single('UINT8', [-1, 2]);
    throwsCode(() => validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'UINT8', shape: [1, 2], data: [0, 256] }] }, model), 'INVALID_TENSOR_DATA', /input "x": data\[1\] is 256.*\[0, 255\]/);
    throwsCode(() => validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'UINT8', shape: [1, 2], data: [-1, 255] }] }, model), 'INVALID_TENSOR_DATA', /data\[0\] is -1/);
  });

  it('reports the flat index of a bad value inside nested data', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([[1, 2, 3, 4], [5, 'x', 7, 8]], [2, 4]), IRIS), 'INVALID_TENSOR_DATA', /data\[5\] is "x"/);
  });

  it('INVALID_TENSOR_DATA for nesting deeper than the rank', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([[[1, 2, 3, 4]]], [1, 4]), IRIS), 'INVALID_TENSOR_DATA', /input "features": data is nested deeper than the tensor's rank \(2\)/);
  });

  it('INVALID_TENSOR_DATA for 100k levels of nesting, without overflowing the stack', () => {
    let data: unknown[] = [1];
    for (let i = 0; i < 100_000; i++) data = [data];
    throwsCode(() => validateInferenceRequest(irisRequest(data), IRIS), 'INVALID_TENSOR_DATA', /nested deeper/);
  });
});

describe('validateInferenceRequest: limits', () => {
  it('BATCH_TOO_LARGE when rows exceed maxBatchSize; exactly max is fine', () => {
    const rows = (n: number) => irisRequest(Array.from({ length: n * 4 }, (_, i) => i), [n, 4]);
    assert.equal(validateInferenceRequest(rows(8), IRIS).batchSize, 8);
    throwsCode(() => validateInferenceRequest(rows(9), IRIS), 'BATCH_TOO_LARGE', /batch dimension 9 exceeds the model's max batch size 8/);
  });

  it('a model that does not batch takes its whole fixed shape, batch size 1', () => {
    const result = validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'INT32', shape: [2, 3], data: [[1, 2, 3], [4, 5, 6]] }] }, FIXED);
    assert.equal(result.batchSize, 1);
    assert.deepEqual(result.inputs[0]!.shape, [2, 3]);
    assert.deepEqual(result.inputs[0]!.data, new Int32Array([1, 2, 3, 4, 5, 6]));
  });

  it('TENSOR_TOO_LARGE for a huge declared shape with tiny data, before reading the data', () => {
    throwsCode(() => validateInferenceRequest(irisRequest([1], [1_000_000_000, 4]), IRIS), 'TENSOR_TOO_LARGE', /input "features": the request declares more than 4194304 elements/);
    throwsCode(
      () => validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 2 ** 40, 2 ** 40], data: [] }] }, IMAGE),
      'TENSOR_TOO_LARGE',
      /input "x"/,
    );
  });

  it('TENSOR_TOO_LARGE counts all inputs together against the configured limit', () => {
    const request = {
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
        { name: 'b', datatype: 'INT64', shape: [3], data: [1, 2, 3] },
      ],
    };
    assert.equal(validateInferenceRequest(request, PAIR, { maxElements: 9 }).batchSize, 3);
    throwsCode(() => validateInferenceRequest(request, PAIR, { maxElements: 8 }), 'TENSOR_TOO_LARGE', /input "b".*more than 8 elements/);
  });

  it('has a frozen default limit', () => {
    assert.equal(DEFAULT_VALIDATION_LIMITS.maxElements, 4_194_304);
    assert.ok(Object.isFrozen(DEFAULT_VALIDATION_LIMITS));
  });
});

describe('validateInferenceRequest: outputs', () => {
  it('UNKNOWN_OUTPUT names the output and lists the model outputs', () => {
    throwsCode(
      () => validateInferenceRequest(irisRequest([1, 2, 3, 4], [1, 4], { outputs: [{ name: 'logits' }] }), IRIS),
      'UNKNOWN_OUTPUT',
      /output "logits" is not an output/,
      /probabilities, label/,
    );
  });

  it('passes requested outputs through, once each, in request order', () => {
    const result = validateInferenceRequest(
      irisRequest([1, 2, 3, 4], [1, 4], { outputs: [{ name: 'label' }, { name: 'probabilities', parameters: { binary_data: false } }, { name: 'label' }] }),
      IRIS,
    );
    assert.deepEqual(result.outputs, ['label', 'probabilities']);
  });

  it('leaves outputs undefined when the request names none', () => {
    const result = validateInferenceRequest(irisRequest([1, 2, 3, 4]), IRIS);
    assert.equal(result.outputs, undefined);
    assert.equal('outputs' in result, false);
    assert.equal('requestId' in result, false);
  });
});

describe('validateInferenceRequest: happy paths', () => {
  it('converts flat FP32 data and passes the request id through', () => {
    const result = validateInferenceRequest(irisRequest([5.1, 3.5, 1.4, 0.2, 6.2, 2.9, 4.3, 1.3], [2, 4], { id: 'req-1' }), IRIS);
    assert.equal(result.requestId, 'req-1');
    assert.equal(result.batchSize, 2);
    assert.equal(result.inputs.length, 1);
    const [tensor] = result.inputs;
    assert.equal(tensor!.name, 'features');
    assert.equal(tensor!.datatype, 'FP32');
    assert.deepEqual(tensor!.shape, [2, 4]);
    assert.ok(tensor!.data instanceof Float32Array);
    assert.deepEqual(tensor!.data, new Float32Array([5.1, 3.5, 1.4, 0.2, 6.2, 2.9, 4.3, 1.3]));
  });

  it('flattens nested data row-major', () => {
    const result = validateInferenceRequest(irisRequest([[1, 2, 3, 4], [5, 6, 7, 8]], [2, 4]), IRIS);
    assert.deepEqual(result.inputs[0]!.data, new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const image = validateInferenceRequest(
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 1, 2], data: [[[[1, 2]], [[3, 4]], [[5, 6]]]] }] },
      IMAGE,
    );
    assert.deepEqual(image.inputs[0]!.data, new Float32Array([1, 2, 3, 4, 5, 6]));
  });

  it('keeps the order of the request inputs and checks both', () => {
    const result = validateInferenceRequest(
      {
        inputs: [
          { name: 'b', datatype: 'INT64', shape: [2], data: [-9_007_199_254_740_991, 42] },
          { name: 'a', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4]] },
        ],
      },
      PAIR,
    );
    assert.deepEqual(result.inputs.map((t) => t.name), ['b', 'a']);
    assert.equal(result.batchSize, 2);
    const b = result.inputs[0]!.data;
    assert.ok(b instanceof BigInt64Array);
    assert.deepEqual([...b], [-9_007_199_254_740_991n, 42n]);
  });

  it('converts INT64 to a BigInt64Array', () => {
    const result = validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'INT64', shape: [1, 3], data: [1, -2, 2 ** 53 - 1] }] }, single('INT64', [-1, 3]));
    const data = result.inputs[0]!.data;
    assert.ok(data instanceof BigInt64Array);
    assert.deepEqual([...data], [1n, -2n, 9_007_199_254_740_991n]);
  });

  it('converts BOOL to 0/1 bytes', () => {
    const result = validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'BOOL', shape: [3], data: [true, false, true] }] }, single('BOOL', [-1]));
    const data = result.inputs[0]!.data;
    assert.ok(data instanceof Uint8Array);
    assert.deepEqual([...data], [1, 0, 1]);
    assert.equal(result.batchSize, 3);
  });

  it('keeps BYTES as strings', () => {
    const result = validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'BYTES', shape: [2, 1], data: [['héllo'], ['']] }] }, single('BYTES', [-1, 1]));
    assert.deepEqual(result.inputs[0]!.data, ['héllo', '']);
  });

  it('stores FP16 as half bit patterns', () => {
    const result = validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 3], data: [1, -2, 65504] }] }, single('FP16', [-1, 3]));
    const data = result.inputs[0]!.data;
    assert.ok(data instanceof Uint16Array);
    assert.deepEqual([...data], [0x3c00, 0xc000, 0x7bff]);
  });

  it('accepts a scalar on a model that does not batch', () => {
    const result = validateInferenceRequest({ inputs: [{ name: 'x', datatype: 'FP64', shape: [], data: [0.1] }] }, single('FP64', [], 0));
    assert.deepEqual(result.inputs[0]!.shape, []);
    assert.deepEqual(result.inputs[0]!.data, new Float64Array([0.1]));
    assert.equal(result.batchSize, 1);
  });
});
