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

/** Marks a request body built from a raw image upload (see installImageBodyParser). */
export const IMAGE_BODY: unique symbol = Symbol('inferq.image-body');

/** Content types of raw image uploads. */
export const IMAGE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** True when the body came from a raw image upload; its one input's name is still to be set. */
export function isImageBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { [IMAGE_BODY]?: boolean })[IMAGE_BODY] === true;
}

/**
 * Registers the raw image parsers: a body of Content-Type `image/png`, `image/jpeg` or
 * `image/webp` becomes a one-image inference request (the bytes base64 in a BYTES tensor); the
 * prediction service names its input after the pipeline's image input (docs/pipelines.md).
 */
export function installImageBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser([...IMAGE_CONTENT_TYPES], { parseAs: 'buffer' }, (_request, body, done) => {
    const request = { inputs: [{ name: '', datatype: 'BYTES', shape: [1], data: [(body as Buffer).toString('base64')] }] };
    Object.defineProperty(request, IMAGE_BODY, { value: true, enumerable: false });
    done(null, request);
  });
}
