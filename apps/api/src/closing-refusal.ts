import { InferqError } from '@inferq/contract';
import type { FastifyInstance } from 'fastify';
import { sendError } from './error-handling.js';

/**
 * While the app closes (graceful shutdown), a request that still arrives on an open connection
 * gets `503 API_SHUTTING_DOWN` with `Retry-After` and `Connection: close`. Replaces Fastify's
 * `return503OnClosing`, whose bare 503 body carries no registry code, so clients could not tell
 * "nothing was accepted, retry" from an internal error.
 */
export function installClosingRefusal(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    void reply.header('connection', 'close');
    return sendError(request, reply, new InferqError('API_SHUTTING_DOWN', 'this API instance is shutting down; retry shortly'));
  });
}
