import type { FastifyInstance } from 'fastify';
import { INFERENCE_HEADER_CONTENT_LENGTH, splitBinaryBody } from '@inferq/tensor';

/**
 * The Open Inference Protocol binary data extension on the way in: a body of Content-Type
 * `application/octet-stream` is a JSON inference request of `Inference-Header-Content-Length`
 * bytes followed by raw tensor bytes. The parsed JSON header becomes `request.body` (so route
 * schemas still apply) and carries the raw bytes under a symbol no JSON can set.
 */
export const BINARY_SECTION: unique symbol = Symbol('inferq.binary-section');

/** The raw tensor bytes of a binary-extension body, if the body was one. */
export function binarySectionOf(body: unknown): Buffer | undefined {
  return typeof body === 'object' && body !== null ? (body as { [BINARY_SECTION]?: Buffer })[BINARY_SECTION] : undefined;
}

/** Registers the `application/octet-stream` parser. */
export function installBinaryBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const { header, binary } = splitBinaryBody(body as Buffer, request.headers[INFERENCE_HEADER_CONTENT_LENGTH]);
      if (typeof header === 'object' && header !== null) Object.defineProperty(header, BINARY_SECTION, { value: binary, enumerable: false });
      done(null, header);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
