import type { BatchSchedules, BatchService } from '@inferq/batch-jobs';
import type { ModelRepository } from '@inferq/model-repository';
import type { PredictionEvents, RolloutEngine, VersionStatsStore } from '@inferq/predictions';
import type { BatchingAdmin } from './batching-admin.js';
import type { AccessControl } from './auth/access-control.js';
import type { ApiConfig } from './config.js';
import type { ApiMetrics } from './metrics.js';
import type { MonitoringService } from './monitoring-service.js';
import type { ModelControl } from './model-control/model-control.js';
import type { PredictionService } from './prediction-service.js';
import type { TrafficAdmin } from './traffic/traffic-admin.js';

/**
 * The long-lived services `buildApp` is given: built once by `createApiServices`, or by tests
 * around their own Redis. `servicesPlugin` turns them into decorators of the Fastify instance;
 * routes read them from there (`app.predictions`, `app.repository`, ...).
 */
export interface ApiContext {
  config: ApiConfig;
  repository: ModelRepository;
  service: PredictionService;
  events: PredictionEvents;
  metrics: ApiMetrics;
  /** Run-time batching settings. */
  batching: BatchingAdmin;
  /** API keys and the rate limiter. */
  auth: AccessControl;
  /** Prediction log export, feedback, references, monitor results. */
  monitoring: MonitoringService;
  /** Batch prediction jobs and their schedules. */
  batches: BatchService;
  schedules: BatchSchedules;
  /** Versions registered, loaded and unloaded at run time, and their states. */
  modelControl: ModelControl;
  /** Progressive rollouts (start, read, approve, pause, resume, abort; the monitor drives them). */
  rollouts: RolloutEngine;
  /** Per-version live figures (worker-written per-second buckets). */
  versionStats: VersionStatsStore;
  /** Traffic policies and version comparisons. */
  traffic: TrafficAdmin;
}
