/**
 * Batch prediction jobs under `/v1` (docs/batches.md): create from a streamed CSV / JSON Lines
 * body or a URI, read progress, cancel, read the results.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InferqError } from '@inferq/contract';
import { isBatchId, type BatchFormat, type BatchRecord } from '@inferq/batch-jobs';
import { principalOf } from '../auth/access-control.js';
import { ownerOf, viewerOf } from '../auth/principal.js';
import { resolveModelFirst } from '../resolve-model-first.js';
import { errorResponses, modelParams, modelVersionParams } from '../schemas.js';
import { BATCH_CONTENT_TYPES, inputFormatOf, parseBatchOptions } from './batch-options.js';

const batchIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const optionsQuery = Type.Object({
  format: Type.Optional(Type.String({ description: 'Result format: jsonl (default) or csv.' })),
  chunkSize: Type.Optional(Type.String({ description: 'Rows per chunk (default 1000).' })),
  priority: Type.Optional(Type.String({ description: 'high, normal or low (default: online traffic goes first).' })),
  webhook: Type.Optional(Type.String({ description: 'URL POSTed the final record.' })),
  resultUri: Type.Optional(Type.String({ description: 'file:// URI the results are written to when the batch ends.' })),
  inputFormat: Type.Optional(Type.String({ description: 'csv or jsonl; default from the content type or the URI.' })),
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkBatchId(id: string): void {
  if (!isBatchId(id)) throw new InferqError('BATCH_NOT_FOUND', `"${id.slice(0, 64)}" is not a batch id`);
}

export const batchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Streamed bodies: handed over untouched (the body limit does not apply; the file is stored, never held in memory).
  app.addContentTypeParser(BATCH_CONTENT_TYPES, (_request, payload, done) => done(null, payload));

  const create = async (model: string, version: string | undefined, request: FastifyRequest, reply: FastifyReply) => {
    const modelVersion = app.repository.resolve(model, version);
    if (modelVersion.pipeline) throw new InferqError('INVALID_BATCH_INPUT', `"${modelVersion.name}" is a pipeline: batch jobs run over models only`);
    const query = request.query as Record<string, unknown>;
    const owner = ownerOf(principalOf(request));
    let record: BatchRecord;
    const streamed = request.body !== null && typeof request.body === 'object' && typeof (request.body as Partial<IncomingMessage>).pipe === 'function';
    if (!streamed && isRecord(request.body)) {
      const body = request.body;
      if (typeof body.uri !== 'string') throw new InferqError('INVALID_REQUEST', 'a JSON body must hold "uri" (or send the rows as text/csv or application/x-ndjson)');
      const options = parseBatchOptions({ ...query, ...body });
      const inputFormat = inputFormatOf(body.inputFormat ?? query.inputFormat, body.uri.split('?')[0]);
      record = await app.batchJobs.create(modelVersion, { uri: body.uri }, inputFormat, options, owner !== undefined ? { owner } : {});
    } else if (streamed) {
      const options = parseBatchOptions(query);
      const inputFormat = inputFormatOf(query.inputFormat, request.headers['content-type']);
      const stream = request.body as IncomingMessage;
      record = await app.batchJobs.create(modelVersion, { stream }, inputFormat, options, owner !== undefined ? { owner } : {}).catch((error: unknown) => {
        if (error instanceof InferqError) throw error;
        throw new InferqError('INVALID_BATCH_INPUT', `the upload could not be stored: ${(error as Error).message.slice(0, 200)}`, { cause: error });
      });
    } else {
      throw new InferqError('INVALID_REQUEST', `send the rows as ${BATCH_CONTENT_TYPES.slice(0, 2).join(' or ')}, or a JSON body with "uri"`);
    }
    return reply.code(202).header('location', `/v1/batches/${record.id}`).send(record);
  };

  const createSchema = {
    tags: ['batches'],
    querystring: optionsQuery,
    response: errorResponses,
  };
  app.post('/models/:model/batches', {
    config: { access: 'predict' },
    preValidation: resolveModelFirst,
    schema: { ...createSchema, params: modelParams, summary: 'Create a batch prediction job on the latest version (CSV / JSON Lines body, or {"uri"})' },
  }, (request, reply) => create(request.params.model, undefined, request, reply));
  app.post('/models/:model/versions/:version/batches', {
    config: { access: 'predict' },
    preValidation: resolveModelFirst,
    schema: { ...createSchema, params: modelVersionParams, summary: 'Create a batch prediction job on one version' },
  }, (request, reply) => create(request.params.model, request.params.version, request, reply));

  app.get('/batches/:id', {
    config: { access: 'read' },
    schema: { tags: ['batches'], summary: 'Progress of a batch: status, total, done, failed, rowsPerSecond, etaSeconds', params: batchIdParams, response: errorResponses },
  }, async (request) => {
    checkBatchId(request.params.id);
    return app.batchJobs.store.get(request.params.id, viewerOf(principalOf(request)));
  });

  app.delete('/batches/:id', {
    config: { access: 'predict' },
    schema: { tags: ['batches'], summary: 'Cancel a batch: remaining chunks are dropped, results so far are kept', params: batchIdParams, response: errorResponses },
  }, async (request) => {
    checkBatchId(request.params.id);
    return app.batchJobs.cancel(request.params.id, viewerOf(principalOf(request)));
  });

  app.get('/batches/:id/results', {
    config: { access: 'read' },
    schema: {
      tags: ['batches'],
      summary: 'The results so far, in input order, as JSON Lines or CSV',
      params: batchIdParams,
      querystring: Type.Object({ format: Type.Optional(Type.String({ description: 'jsonl or csv; default: the batch\'s format.' })) }),
      response: errorResponses,
    },
  }, async (request, reply) => {
    checkBatchId(request.params.id);
    const record = await app.batchJobs.store.get(request.params.id, viewerOf(principalOf(request)));
    const format: BatchFormat = request.query.format === undefined ? record.format : parseBatchOptions({ format: request.query.format }).format;
    let model;
    try {
      model = app.repository.resolve(record.model, record.version);
    } catch {
      model = undefined; // the version is gone: CSV without output columns
    }
    const stream = await app.batchJobs.results(record, model, format);
    return reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson').send(stream);
  });
};
