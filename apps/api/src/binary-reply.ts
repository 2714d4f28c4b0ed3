import type { FastifyReply } from 'fastify';
import type { InferenceResponse, PredictionRecord } from '@inferq/contract';
import { encodeBinaryResponse, INFERENCE_HEADER_CONTENT_LENGTH } from '@inferq/tensor';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Which outputs a v2 request wants back as raw bytes (binary data extension):
 * all with `parameters.binary_data_output: true`, or those whose `outputs[].parameters.binary_data` is true.
 * Undefined when none.
 */
export function binaryOutputsRequested(body: unknown): ((name: string) => boolean) | undefined {
  if (!isRecord(body)) return undefined;
  if (isRecord(body.parameters) && body.parameters.binary_data_output === true) return () => true;
  const named = new Set<string>();
  if (Array.isArray(body.outputs)) {
    for (const o of body.outputs) if (isRecord(o) && isRecord(o.parameters) && o.parameters.binary_data === true && typeof o.name === 'string') named.add(o.name);
  }
  return named.size > 0 ? (name) => named.has(name) : undefined;
}

/** Sends a v2 response or a prediction record with the chosen outputs as raw bytes after a JSON header. */
export function sendBinary(reply: FastifyReply, document: InferenceResponse | PredictionRecord, binary: (name: string) => boolean): FastifyReply {
  const { body, headerLength } = encodeBinaryResponse(document, binary);
  return reply.header('content-type', 'application/octet-stream').header(INFERENCE_HEADER_CONTENT_LENGTH, String(headerLength)).send(body);
}
