/**
 * JSON schemas of the HTTP answers and path parameters, in TypeBox. The message schemas
 * (inference request and response, batching settings, model metadata) are declared once in
 * @inferq/contract; this file adds what only HTTP has: the error bodies, the prediction record
 * as answered, and the path parameters every route family shares. They document the API (the
 * OpenAPI document is generated from them), type the handlers, and let Fastify serialise the
 * answers with compiled stringifiers.
 */
import { Type } from '@sinclair/typebox';
import { compileValidator, ERROR_CODES, InferenceRequest, InferenceResponse, ModelMetadata, StringEnum } from '@inferq/contract';

const errorCode = StringEnum(Object.keys(ERROR_CODES) as Array<keyof typeof ERROR_CODES>);

/** `{ code, message }` of the registry. */
export const errorDetail = Type.Object({ code: errorCode, message: Type.String() });

export const errorSchema = Type.Object({ error: errorDetail }, { $id: 'Error' });

export const v2ErrorSchema = Type.Object({ error: Type.String(), code: Type.Optional(errorCode) }, { $id: 'V2Error' });

export const timingsSchema = Type.Object({
  queueWaitMs: Type.Optional(Type.Number()), inferenceMs: Type.Optional(Type.Number()), totalMs: Type.Optional(Type.Number()),
  batchSize: Type.Optional(Type.Integer()), batchRequests: Type.Optional(Type.Integer()),
});

const ref = (id: string) => Type.Unsafe({ $ref: `${id}#` });

export const predictionSchema = Type.Object({
  id: Type.String(),
  status: StringEnum(['queued', 'running', 'completed', 'failed', 'expired'], { description: 'expired: its timeout passed before a worker took it (error DEADLINE_EXCEEDED).' }),
  model: Type.String(),
  version: Type.String(),
  createdAt: Type.Optional(Type.Integer({ description: 'Epoch milliseconds when accepted.' })),
  result: Type.Optional(ref('InferenceResponse')),
  error: Type.Optional(errorDetail),
  timings: timingsSchema,
  worker: Type.Optional(Type.Object({ id: Type.Optional(Type.String()), device: Type.Optional(Type.String()) })),
}, { $id: 'Prediction' });

export const acceptedSchema = Type.Object({
  id: Type.String(), status: StringEnum(['queued']), model: Type.String(), version: Type.String(),
}, { $id: 'PredictionAccepted' });

/** Every shared schema, registered once with `app.addSchema` and referenced as `{ $ref: 'Name#' }`. */
export const sharedSchemas = [errorSchema, v2ErrorSchema, InferenceRequest, InferenceResponse, predictionSchema, acceptedSchema, ModelMetadata];

/** References to the shared schemas, for route `schema` blocks. */
export const refs = {
  error: ref('Error'),
  v2Error: ref('V2Error'),
  inferenceRequest: ref('InferenceRequest'),
  inferenceResponse: ref('InferenceResponse'),
  prediction: ref('Prediction'),
  accepted: ref('PredictionAccepted'),
  modelMetadata: ref('ModelMetadata'),
} as const;

/** The error answers of the `/v1` routes and of the v2 routes, by status class. */
export const errorResponses = { '4xx': refs.error, '5xx': refs.error } as const;
export const v2ErrorResponses = { '4xx': refs.v2Error, '5xx': refs.v2Error } as const;

/** Longest model name a route accepts (MODEL_NAME_PATTERN of the repository allows 128). */
export const MAX_MODEL_NAME = 128;

export const modelParams = Type.Object({ model: Type.String({ maxLength: MAX_MODEL_NAME }) });

/** Params of the `/versions/:version` routes (a path parameter must appear in its route's path, or the OpenAPI document is invalid). */
export const modelVersionParams = Type.Object({ model: Type.String({ maxLength: MAX_MODEL_NAME }), version: Type.String({ maxLength: 32 }) });

/** `:id` of every `/v1/predictions/:id...` route; the id's form is checked by the handler (INVALID_PREDICTION_ID). */
export const predictionIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** The params checks, for hooks that run before Fastify validates (see `resolveModelFirst`). */
export const modelVersionParamsValidator = compileValidator(Type.Object({ model: modelVersionParams.properties.model, version: Type.Optional(modelVersionParams.properties.version) }));
