import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, InferqError, type ErrorCode } from '@inferq/contract';

/** Fastify's own error codes → ours, so clients see one registry. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_VALIDATION: 'INVALID_REQUEST',
  FST_ERR_BAD_URL: 'INVALID_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_REQUEST',
};

/** Normalises anything thrown in a handler into an `InferqError`. Unknown errors become INTERNAL_ERROR. */
export function toInferqError(error: unknown): InferqError {
  if (error instanceof InferqError) return error;
  const e = error as Partial<FastifyError> & { validation?: unknown };
  if (e.validation) return new InferqError('INVALID_REQUEST', e.message ?? 'invalid request');
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return new InferqError(mapped, mapped === 'INVALID_JSON' ? `body is not valid JSON: ${e.message}` : e.message ?? mapped);
  if (error instanceof SyntaxError) return new InferqError('INVALID_JSON', `body is not valid JSON: ${error.message}`);
  return new InferqError('INTERNAL_ERROR', 'internal error', { cause: error });
}

/** True for routes that speak the Open Inference Protocol, whose error body is `{ "error": "<message>" }`. */
const isV2Route = (request: FastifyRequest) => request.url.startsWith('/v2');

/** Sends an error in the route family's wire format. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: InferqError): FastifyReply {
  // Redis restarting, out of memory, or the queue full: these pass, so a client should come back.
  const retryAfter: number | undefined = (ERROR_CODES[error.code] as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  const body = isV2Route(request) ? { error: error.message, code: error.code } : error.toBody();
  return reply.code(error.statusCode).send(body);
}

/** Installs the error and not-found handlers: every error answer carries a registry code. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const normalised = toInferqError(error);
    if (normalised.code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, normalised);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new InferqError('ROUTE_NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`)));
}
