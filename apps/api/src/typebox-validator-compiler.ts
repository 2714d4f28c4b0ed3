import type { FastifyRouteSchemaDef, FastifyValidationResult } from 'fastify/types/schema.js';
import type { TSchema } from '@sinclair/typebox';
import { compileValidator, InferqError } from '@inferq/contract';

/**
 * A Fastify `validatorCompiler` running the compiled TypeBox check of @inferq/contract, for
 * routes whose body is one of its messages: the refusal is INVALID_REQUEST with the message the
 * schema carries (the same one `config.json` or a WebSocket message would get), naming the field.
 * Every part of such a route (params, body) must be a TypeBox schema.
 */
export function typeboxValidatorCompiler<T>({ schema, httpPart }: FastifyRouteSchemaDef<T>): FastifyValidationResult {
  const validator = compileValidator(schema as TSchema);
  const what = httpPart ?? 'request';
  return (data: unknown) => {
    const problem = validator.explain(data);
    if (!problem) return { value: data };
    return { error: new InferqError('INVALID_REQUEST', problem.path.length === 0 ? `${what} ${problem.message}` : problem.message) };
  };
}
