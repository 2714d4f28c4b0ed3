/**
 * The API's shared services as Fastify decorators, so every route plugin reads them from its
 * instance (`app.predictions.submit(...)`) instead of a context object passed to each function.
 */
import fp from 'fastify-plugin';
import type { BatchSchedules, BatchService } from '@inferq/batch-jobs';
import type { ModelRepository } from '@inferq/model-repository';
import type { PredictionEvents, RolloutEngine, VersionStatsStore } from '@inferq/predictions';
import type { ApiContext } from './api-context.js';
import type { AccessControl } from './auth/access-control.js';
import type { BatchingAdmin } from './batching-admin.js';
import type { ApiConfig } from './config.js';
import type { ApiMetrics } from './metrics.js';
import type { MonitoringService } from './monitoring-service.js';
import type { ModelControl } from './model-control/model-control.js';
import type { PredictionService } from './prediction-service.js';
import type { TrafficAdmin } from './traffic/traffic-admin.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API's configuration, parsed once at start-up. */
    apiConfig: ApiConfig;
    /** Models and versions served. */
    repository: ModelRepository;
    /** Submit, read, wait for and retry predictions. */
    predictions: PredictionService;
    /** Final results as they are published (one subscriber per process). */
    predictionEvents: PredictionEvents;
    metrics: ApiMetrics;
    /** Run-time batching settings. */
    batching: BatchingAdmin;
    /** API keys and the rate limiter. */
    accessControl: AccessControl;
    /** Prediction log export, feedback, references, monitor results. */
    monitoring: MonitoringService;
    /** Batch prediction jobs: create, read, cancel, results. */
    batchJobs: BatchService;
    /** Cron schedules that create batches. */
    batchSchedules: BatchSchedules;
    /**
     * Model control: register, load, unload versions; `versionState(model, version)` for the
     * traffic policy (weights only on READY versions).
     */
    modelControl: ModelControl;
    /** Progressive rollouts. */
    rollouts: RolloutEngine;
    /** Per-version live figures. */
    versionStats: VersionStatsStore;
    /** Traffic policies and version comparisons. */
    traffic: TrafficAdmin;
  }
}

/** Decorates the root instance (fastify-plugin: not encapsulated) with the services. */
export const servicesPlugin = fp<{ services: ApiContext }>(async (app, { services }) => {
  app.decorate('apiConfig', services.config);
  app.decorate('repository', services.repository);
  app.decorate('predictions', services.service);
  app.decorate('predictionEvents', services.events);
  app.decorate('metrics', services.metrics);
  app.decorate('batching', services.batching);
  app.decorate('accessControl', services.auth);
  app.decorate('monitoring', services.monitoring);
  app.decorate('batchJobs', services.batches);
  app.decorate('batchSchedules', services.schedules);
  app.decorate('modelControl', services.modelControl);
  app.decorate('rollouts', services.rollouts);
  app.decorate('versionStats', services.versionStats);
  app.decorate('traffic', services.traffic);
}, { name: 'inferq-services', fastify: '5.x' });
