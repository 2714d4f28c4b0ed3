/**
 * JSON schemas of the routes. They document the API (the OpenAPI document is generated from
 * them) and reject malformed shapes early; deep tensor checks live in @inferq/tensor, which
 * also serves WebSocket messages that never pass through these schemas.
 */
import { DATATYPES, ERROR_CODES } from '@inferq/contract';

const errorCode = { type: 'string', enum: Object.keys(ERROR_CODES) } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: errorCode, message: { type: 'string' } } },
  },
} as const;

export const v2ErrorSchema = {
  $id: 'V2Error',
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, code: errorCode },
} as const;

const tensorMetadata = {
  type: 'object',
  required: ['name', 'datatype', 'shape'],
  properties: { name: { type: 'string' }, datatype: { type: 'string', enum: DATATYPES }, shape: { type: 'array', items: { type: 'integer' } } },
} as const;

export const inferenceRequestSchema = {
  $id: 'InferenceRequest',
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters: { type: 'object', additionalProperties: true },
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
          datatype: { type: 'string', enum: DATATYPES },
          parameters: {
            type: 'object', additionalProperties: true,
            description: '`binary_data_size`: the input\'s bytes follow the JSON header (binary data extension, Content-Type application/octet-stream).',
          },
          data: {
            anyOf: [{ type: 'array' }, { type: 'string' }],
            description: 'Row-major values, flat or nested; or a base64 string of the little-endian element bytes. Omitted when parameters.binary_data_size is given.',
          },
        },
      },
    },
    outputs: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
  },
} as const;

export const inferenceResponseSchema = {
  $id: 'InferenceResponse',
  type: 'object',
  required: ['model_name', 'id', 'outputs'],
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    parameters: { type: 'object', additionalProperties: true },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer' } },
          datatype: { type: 'string' },
          // Float outputs: NaN and ±∞ are the strings "NaN", "NaN:0x<bits>", "Infinity", "-Infinity" (docs/api.md).
          data: { type: 'array', items: {} },
          // `non_finite`: how many values of the output are such strings; `binary_data_size` in binary answers.
          parameters: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

export const timingsSchema = {
  type: 'object',
  properties: {
    queueWaitMs: { type: 'number' }, inferenceMs: { type: 'number' }, totalMs: { type: 'number' },
    batchSize: { type: 'integer' }, batchRequests: { type: 'integer' },
  },
} as const;

export const predictionSchema = {
  $id: 'Prediction',
  type: 'object',
  required: ['id', 'status', 'model', 'version', 'timings'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'expired'], description: 'expired: its timeout passed before a worker took it (error DEADLINE_EXCEEDED).' },
    model: { type: 'string' },
    version: { type: 'string' },
    createdAt: { type: 'integer', description: 'Epoch milliseconds when accepted.' },
    result: { $ref: 'InferenceResponse#' },
    error: errorSchema.properties.error,
    timings: timingsSchema,
    worker: { type: 'object', properties: { id: { type: 'string' }, device: { type: 'string' } } },
  },
} as const;

export const acceptedSchema = {
  $id: 'PredictionAccepted',
  type: 'object',
  required: ['id', 'status', 'model', 'version'],
  properties: { id: { type: 'string' }, status: { type: 'string', enum: ['queued'] }, model: { type: 'string' }, version: { type: 'string' } },
} as const;

export const modelMetadataSchema = {
  $id: 'ModelMetadata',
  type: 'object',
  required: ['name', 'versions', 'platform', 'inputs', 'outputs'],
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: tensorMetadata },
    outputs: { type: 'array', items: tensorMetadata },
  },
} as const;

/** Every shared schema, registered once with `app.addSchema`. */
export const sharedSchemas = [errorSchema, v2ErrorSchema, inferenceRequestSchema, inferenceResponseSchema, predictionSchema, acceptedSchema, modelMetadataSchema];

export const modelParams = {
  type: 'object',
  required: ['model'],
  properties: { model: { type: 'string', maxLength: 128 } },
} as const;

/** Params of the `/versions/:version` routes (a path parameter must appear in its route's path, or the OpenAPI document is invalid). */
export const modelVersionParams = {
  type: 'object',
  required: ['model', 'version'],
  properties: { ...modelParams.properties, version: { type: 'string', maxLength: 32 } },
} as const;
