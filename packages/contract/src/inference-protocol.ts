/**
 * Open Inference Protocol v2 (KServe / Triton / MLServer) JSON shapes, declared once as TypeBox
 * schemas: the static types, the HTTP body schemas (Fastify's ajv, the OpenAPI document) and the
 * WebSocket check all come from these declarations.
 * https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/
 *
 * The schemas check structure only; values, shapes against the model and sizes are checked by
 * `@inferq/tensor` with precise messages.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DATATYPES } from './datatypes.js';
import { ERROR_MESSAGE, StringEnum } from './schema-validator.js';

/** Free-form `parameters` object (priority, timeout, binary_data_size, ...). */
const Parameters = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });

/** Values of one tensor as they arrive in JSON: flat or nested row-major arrays. */
export type TensorData = unknown[];

/** One input tensor of an inference request. */
export const RequestInput = Type.Object({
  name: Type.String(),
  shape: Type.Array(Type.Integer({ minimum: 0 })),
  datatype: StringEnum(DATATYPES, { [ERROR_MESSAGE]: `must be one of ${DATATYPES.join(', ')}` }),
  parameters: Type.Optional(Parameters('`binary_data_size`: the input\'s bytes follow the JSON header (binary data extension, Content-Type application/octet-stream).')),
  data: Type.Optional(Type.Union([Type.Array(Type.Unknown()), Type.String()], {
    description: 'Row-major values, flat or nested; or a base64 string of the little-endian element bytes. Omitted when parameters.binary_data_size is given.',
  })),
});
export type RequestInput = Static<typeof RequestInput>;

/** An output the caller asks for; omitted means all outputs. */
export const RequestOutput = Type.Object({ name: Type.String(), parameters: Type.Optional(Parameters()) });
export type RequestOutput = Static<typeof RequestOutput>;

/** `POST .../infer` and `POST .../predictions` body; the `request` of a WebSocket `predict`. */
export const InferenceRequest = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Parameters()),
  inputs: Type.Array(RequestInput),
  outputs: Type.Optional(Type.Array(RequestOutput)),
}, { $id: 'InferenceRequest', [ERROR_MESSAGE]: 'must be an inference request object ({"inputs": [...]})' });
export type InferenceRequest = Static<typeof InferenceRequest>;

/** One output tensor of an inference response; data is flat, row-major. */
export const ResponseOutput = Type.Object({
  name: Type.String(),
  shape: Type.Array(Type.Integer()),
  datatype: StringEnum(DATATYPES),
  // `non_finite`: how many values are NaN/±∞ strings ("NaN", "NaN:0x<bits>", "Infinity", "-Infinity",
  // docs/api.md); `binary_data_size` in binary answers.
  parameters: Type.Optional(Parameters()),
  // `items: {}`: each value is written as it is (numbers, booleans, strings for BYTES and 64-bit integers).
  data: Type.Unsafe<Array<number | boolean | string>>(Type.Array(Type.Unknown())),
});
export type ResponseOutput = Static<typeof ResponseOutput>;

/** The v2 inference response. */
export const InferenceResponse = Type.Object({
  model_name: Type.String(),
  model_version: Type.Optional(Type.String()),
  id: Type.String(),
  parameters: Type.Optional(Parameters()),
  outputs: Type.Array(ResponseOutput),
}, { $id: 'InferenceResponse' });
export type InferenceResponse = Static<typeof InferenceResponse>;

/** Name, datatype and shape of a model input or output; -1 marks a dynamic dimension. */
export const TensorMetadata = Type.Object({ name: Type.String(), datatype: StringEnum(DATATYPES), shape: Type.Array(Type.Integer()) });
export type TensorMetadata = Static<typeof TensorMetadata>;

/** `GET /v2/models/{model}[/versions/{version}]` response. */
export const ModelMetadata = Type.Object({
  name: Type.String(),
  versions: Type.Array(Type.String()),
  platform: Type.String(),
  inputs: Type.Array(TensorMetadata),
  outputs: Type.Array(TensorMetadata),
}, { $id: 'ModelMetadata' });
export type ModelMetadata = Static<typeof ModelMetadata>;

/** The platform name reported for ONNX models, as Triton does. */
export const ONNX_PLATFORM = 'onnxruntime_onnx';

