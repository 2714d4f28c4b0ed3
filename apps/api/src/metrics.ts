import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PredictionFinalEvent } from '@inferq/contract';
import type { ModelRepository } from '@inferq/model-repository';
import type { PredictionQueues } from '@inferq/queue';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * The API's Prometheus metrics. Worker-side timings arrive with each final-result event; every
 * API process observes only the predictions it accepted (the event's `origin`), so summing over
 * API replicas counts each prediction once.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'inferq_http_requests_total', help: 'HTTP requests by route and status code.',
    labelNames: ['method', 'route', 'status'] as const, registers: [this.registry],
  });
  readonly submitted = new Counter({
    name: 'inferq_predictions_submitted_total', help: 'Predictions accepted into a queue.',
    labelNames: ['model', 'version', 'transport'] as const, registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'inferq_predictions_rejected_total', help: 'Prediction requests refused before queueing, by error code.',
    labelNames: ['code'] as const, registers: [this.registry],
  });
  readonly finished = new Counter({
    name: 'inferq_predictions_finished_total', help: 'Predictions that ended, by status (completed / failed).',
    labelNames: ['model', 'version', 'status'] as const, registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'inferq_queue_wait_seconds', help: 'Time from acceptance to the start of the batch.',
    labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly inference = new Histogram({
    name: 'inferq_inference_seconds', help: 'Duration of the session.run of the batch a prediction ran in.',
    labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly endToEnd = new Histogram({
    name: 'inferq_end_to_end_seconds', help: 'Time from acceptance until the result was stored.',
    labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'inferq_batch_size', help: 'Rows in the batch each prediction ran in.',
    labelNames: ['model', 'version'] as const, buckets: BATCH_BUCKETS, registers: [this.registry],
  });

  constructor(repository: ModelRepository, queues: PredictionQueues) {
    collectDefaultMetrics({ register: this.registry, prefix: 'inferq_api_' });
    new Gauge({
      name: 'inferq_queue_depth', help: 'Jobs in each model queue by state.',
      labelNames: ['model', 'state'] as const, registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(repository.modelNames().map(async (model) => {
          try {
            const depth = await queues.depth(model);
            for (const [state, count] of Object.entries(depth)) this.set({ model, state }, count);
          } catch {
            // Redis away: leave the series out rather than fail the whole scrape.
          }
        }));
      },
    });
  }

  /** Records a final-result event accepted by this process. */
  observeFinal(event: PredictionFinalEvent): void {
    const labels = { model: event.model, version: event.version };
    this.finished.inc({ ...labels, status: event.status });
    const t = event.timings;
    if (t.queueWaitMs !== undefined) this.queueWait.observe(labels, t.queueWaitMs / 1000);
    if (t.inferenceMs !== undefined) this.inference.observe(labels, t.inferenceMs / 1000);
    if (t.totalMs !== undefined) this.endToEnd.observe(labels, t.totalMs / 1000);
    if (t.batchSize !== undefined) this.batchSize.observe(labels, t.batchSize);
  }
}
