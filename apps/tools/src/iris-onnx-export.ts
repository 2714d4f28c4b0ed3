/**
 * Builds the ONNX graph of an {@link IrisClassifier}:
 *
 *   features ─Sub(mean)─Div(std)─MatMul(W)─Add(b)─Softmax(axis=1)─► probabilities
 *                                                        └ArgMax(axis=1)─► label
 *
 * The model carries no timestamps or random names, so the same classifier always
 * encodes to the same bytes.
 */
// onnx-proto is CommonJS whose exports Node cannot detect statically, so the named
// import fails at runtime; take the namespace off the default export instead.
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { IrisClassifier } from './iris-training.js';

const { onnx } = onnxProto;

/** Name of the graph input: float32 `[batch, 4]` raw measurements. */
export const INPUT_NAME = 'features';
/** Name of the float32 `[batch, 3]` class-probability output. */
export const PROBABILITIES_NAME = 'probabilities';
/** Name of the int64 `[batch]` predicted-label output. */
export const LABEL_NAME = 'label';

const IR_VERSION = 8;
const OPSET_VERSION = 13;
const PRODUCER_NAME = 'inferq';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Float32 little-endian bytes; written through DataView so host endianness never matters. */
function float32Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** A float32 initializer with its values in `raw_data`. */
function floatInitializer(name: string, dims: number[], values: readonly number[]): OnnxTypes.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: float32Bytes(values) };
}

/** A tensor value-info whose dims are either fixed sizes or symbolic names. */
function tensorInfo(name: string, elemType: number, dims: readonly (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** An integer attribute (the only kind this graph needs). */
function intAttribute(name: string, value: number): OnnxTypes.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

/**
 * Builds the ModelProto (ir_version 8, default-domain opset 13, producer "inferq").
 *
 * @param classifier - parameters; `weights` is `[4][3]`, `bias`/`mean`/`std` as named.
 * @throws if the parameter shapes are inconsistent.
 */
export function buildIrisOnnxModel(classifier: IrisClassifier): OnnxTypes.IModelProto {
  const numFeatures = classifier.mean.length;
  const numClasses = classifier.bias.length;
  const shapesOk =
    classifier.std.length === numFeatures &&
    classifier.weights.length === numFeatures &&
    classifier.weights.every((row) => row.length === numClasses);
  if (!shapesOk) throw new Error('buildIrisOnnxModel: inconsistent parameter shapes');

  const initializer = [
    floatInitializer('mean', [numFeatures], classifier.mean),
    floatInitializer('std', [numFeatures], classifier.std),
    // Row-major [features, classes], matching MatMul(x[batch, features], W).
    floatInitializer('weights', [numFeatures, numClasses], classifier.weights.flat()),
    floatInitializer('bias', [numClasses], classifier.bias),
  ];
  const node: OnnxTypes.INodeProto[] = [
    { name: 'center', opType: 'Sub', input: [INPUT_NAME, 'mean'], output: ['centered'] },
    { name: 'scale', opType: 'Div', input: ['centered', 'std'], output: ['standardized'] },
    { name: 'matmul', opType: 'MatMul', input: ['standardized', 'weights'], output: ['scores'] },
    { name: 'add_bias', opType: 'Add', input: ['scores', 'bias'], output: ['logits'] },
    { name: 'softmax', opType: 'Softmax', input: ['logits'], output: [PROBABILITIES_NAME], attribute: [intAttribute('axis', 1)] },
    // ArgMax over the probabilities (not the logits) so `label` is by construction the
    // argmax of the `probabilities` output, even where float rounding makes values tie.
    {
      name: 'argmax',
      opType: 'ArgMax',
      input: [PROBABILITIES_NAME],
      output: [LABEL_NAME],
      attribute: [intAttribute('axis', 1), intAttribute('keepdims', 0)],
    },
  ];
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: PRODUCER_NAME,
    graph: {
      name: 'iris_classifier',
      node,
      initializer,
      input: [tensorInfo(INPUT_NAME, FLOAT, ['batch', numFeatures])],
      output: [
        tensorInfo(PROBABILITIES_NAME, FLOAT, ['batch', numClasses]),
        tensorInfo(LABEL_NAME, INT64, ['batch']),
      ],
    },
  };
}

/** Serialises the classifier to ONNX bytes; deterministic for identical parameters. */
export function encodeIrisOnnxModel(classifier: IrisClassifier): Uint8Array {
  return onnx.ModelProto.encode(buildIrisOnnxModel(classifier)).finish();
}
