/**
 * JSON schemas of the HTTP answers and path parameters, in TypeBox. The message schemas
 * (inference request and response, prediction record, batching settings, model metadata) are
 * declared once in @inferq/contract; this file adds what only HTTP has: the error bodies, the
 * `$ref`s to the shared schemas, and the path parameters every route family shares. They document the API (the
 * OpenAPI document is generated from them), type the handlers, and let Fastify serialise the
 * answers with compiled stringifiers.
 */
import { Type } from '@sinclair/typebox';
import { compileValidator, ErrorDetail, InferenceRequest, InferenceResponse, ModelMetadata, PredictionAccepted, PredictionAnswer } from '@inferq/contract';

/** `{ code, message }` of the registry. */
export const errorDetail = ErrorDetail;

export const errorSchema = Type.Object({ error: ErrorDetail }, { $id: 'Error' });

export const v2ErrorSchema = Type.Object({ error: Type.String(), code: Type.Optional(ErrorDetail.properties.code) }, { $id: 'V2Error' });

const ref = (id: string) => Type.Unsafe({ $ref: `${id}#` });

/** Every shared schema, registered once with `app.addSchema` and referenced as `{ $ref: 'Name#' }`. */
export const sharedSchemas = [errorSchema, v2ErrorSchema, InferenceRequest, InferenceResponse, PredictionAnswer, PredictionAccepted, ModelMetadata];

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
