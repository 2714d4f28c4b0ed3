import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AlertEvent, FeedbackEntry, InferqError, isPredictionId } from '@inferq/contract';
import { principalOf } from '../auth/access-control.js';
import { viewerOf } from '../auth/principal.js';
import { modelVersionParams, predictionIdParams } from '../schemas.js';

const errorResponses = { '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' } } as const;
const feedbackRecorded = Type.Object({ ...FeedbackEntry.properties, correct: Type.Array(Type.Boolean(), { description: 'Per row: the prediction was right.' }) });
const referenceStored = Type.Object({ model: Type.String(), version: Type.String(), rows: Type.Integer(), columns: Type.Array(Type.String()), uploadedAt: Type.Integer({ description: 'Epoch ms.' }) });
const alertList = Type.Object({ alerts: Type.Array(AlertEvent) });
const limitParam = (max: number, fallback: number) => ({ type: 'string', pattern: '^[0-9]{1,7}$', description: `At most this many (default ${fallback}, at most ${max}).` });
/**
 * A reference in any other content type (JSON, the binary inference body, a form) is refused
 * before a parser reads it: 415 UNSUPPORTED_MEDIA_TYPE, saying what to send.
 */
async function refuseNonCsv(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type'];
  if (type !== undefined && !/^text\/(csv|plain)[ \t]*(;|$)/i.test(type)) {
    throw new InferqError('UNSUPPORTED_MEDIA_TYPE', `send the reference as text/csv, not "${type.slice(0, 64)}"`);
  }
}

const readLimit = (raw: string | undefined, fallback: number, max: number) => Math.min(raw === undefined ? fallback : Number(raw), max);

/**
 * Monitoring routes, under `/v1`: the prediction log export, feedback, reference uploads (these
 * three `admin`: they hold or change prediction contents), and what the monitor stored (window
 * reports with drift, metric series, alerts, status: `read`, aggregates only). See docs/monitoring.md.
 */
export const monitoringRoutes: FastifyPluginAsync = async (app) => {
  const monitoring = app.monitoring;

  app.get<{ Querystring: { model?: string; version?: string; since?: string; limit?: string } }>('/predictions/log', {
    config: { access: 'admin' },
    schema: {
      tags: ['monitoring'],
      summary: 'Export the prediction log as JSON Lines, oldest first (streamed)',
      querystring: {
        type: 'object',
        properties: {
          model: { type: 'string', maxLength: 128 },
          version: { type: 'string', pattern: '^[0-9]{1,9}$' },
          since: { type: 'string', maxLength: 64, description: 'Epoch ms or ISO time (entries appended then or later), or a logId (entries after it).' },
          limit: limitParam(1_000_000, 1_000_000),
        },
      },
      response: errorResponses,
    },
  }, async (request, reply) => {
    const { model, version, since, limit } = request.query;
    const entries = monitoring.exportLog({
      ...(model !== undefined ? { model } : {}), ...(version !== undefined ? { version } : {}), ...(since !== undefined ? { since } : {}),
      limit: readLimit(limit, 1_000_000, 1_000_000),
    });
    // Read the first entry before answering, so a bad cursor or Redis error is a proper error answer.
    const first = await entries.next();
    async function* lines(): AsyncGenerator<string> {
      if (first.done) return;
      yield `${JSON.stringify(first.value)}\n`;
      for await (const entry of entries) yield `${JSON.stringify(entry)}\n`;
    }
    const body = Readable.from(lines(), { objectMode: false });
    body.on('error', (error) => request.log.warn({ err: error.message }, 'prediction log export cut short'));
    return reply.type('application/x-ndjson; charset=utf-8').send(body);
  });

  app.post<{ Params: { id: string }; Body: { label: unknown } }>('/predictions/:id/feedback', {
    config: { access: 'admin' },
    schema: {
      tags: ['monitoring'],
      summary: 'Record the true class of a completed prediction (one label, or one per row)',
      params: predictionIdParams,
      body: {
        type: 'object', required: ['label'], additionalProperties: false,
        properties: { label: { description: 'A class index or label name, or an array of them (one per row of the prediction).' } },
      },
      response: { 201: feedbackRecorded, ...errorResponses },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!isPredictionId(id)) throw new InferqError('INVALID_PREDICTION_ID', `"${id.slice(0, 64)}" is not a prediction id (22 base64url characters)`);
    const entry = await monitoring.feedback(id, request.body.label, viewerOf(principalOf(request)));
    return reply.code(201).send(entry);
  });

  // A CSV body is accepted on the reference route only: every other route keeps answering 415.
  app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.put<{ Params: { model: string; version: string }; Body: string }>('/models/:model/versions/:version/reference', {
      config: { access: 'admin' },
      onRequest: refuseNonCsv,
      schema: {
        tags: ['monitoring'],
        summary: 'Upload the reference (training) sample of a version as CSV; drift is measured against it',
        params: modelVersionParams,
        response: { 200: referenceStored, ...errorResponses },
      },
    }, async (request) => {
      if (typeof request.body !== 'string') throw new InferqError('UNSUPPORTED_MEDIA_TYPE', 'send the reference as text/csv');
      return monitoring.putReference(request.params.model, request.params.version, request.body);
    });
  });

  app.get<{ Params: { model: string; version: string }; Querystring: { limit?: string } }>('/models/:model/versions/:version/drift', {
    config: { access: 'read' },
    schema: {
      tags: ['monitoring'],
      summary: 'Window reports of a version, newest first: feature stats, outputs, latency and drift against the reference',
      params: modelVersionParams,
      querystring: { type: 'object', properties: { limit: limitParam(200, 20) } },
      response: errorResponses,
    },
  }, async (request) => monitoring.drift(request.params.model, request.params.version, readLimit(request.query.limit, 20, 200)));

  app.get<{ Params: { model: string; version: string }; Querystring: { name?: string; since?: string; limit?: string } }>('/models/:model/versions/:version/series', {
    config: { access: 'read' },
    schema: {
      tags: ['monitoring'],
      summary: 'Metric series of a version (one point per window); without name, only the list of names',
      params: modelVersionParams,
      querystring: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 4096, description: 'Series name(s), comma-separated, e.g. latency_p95,drift_share.' },
          since: { type: 'string', pattern: '^[0-9]{1,16}$', description: 'Only points after this epoch ms.' },
          limit: limitParam(5_000, 500),
        },
      },
      response: errorResponses,
    },
  }, async (request) => {
    const names = (request.query.name ?? '').split(',').map((n) => n.trim()).filter(Boolean).slice(0, 100);
    const options: { since?: number; limit: number } = { limit: readLimit(request.query.limit, 500, 5_000) };
    if (request.query.since !== undefined) options.since = Number(request.query.since);
    return monitoring.series(request.params.model, request.params.version, names, options);
  });

  app.get<{ Querystring: { model?: string; version?: string; limit?: string } }>('/alerts', {
    config: { access: 'read' },
    schema: {
      tags: ['monitoring'],
      summary: 'Alert history, newest first',
      querystring: {
        type: 'object',
        properties: { model: { type: 'string', maxLength: 128 }, version: { type: 'string', pattern: '^[0-9]{1,9}$' }, limit: limitParam(1_000, 100) },
      },
      response: { 200: alertList, ...errorResponses },
    },
  }, async (request) => {
    const { model, version, limit } = request.query;
    const alerts = await monitoring.alerts({
      ...(model !== undefined ? { model } : {}), ...(version !== undefined ? { version } : {}), limit: readLimit(limit, 100, 1_000),
    });
    return { alerts };
  });

  app.get('/monitoring/status', {
    config: { access: 'read' },
    schema: { tags: ['monitoring'], summary: 'Models, versions, queue depths and live workers (heartbeats), now', response: errorResponses },
  }, async () => monitoring.status());
};
