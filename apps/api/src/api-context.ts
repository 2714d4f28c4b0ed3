import type { ModelRepository } from '@inferq/model-repository';
import type { PredictionEvents } from '@inferq/queue';
import type { ApiConfig } from './config.js';
import type { ApiMetrics } from './metrics.js';
import type { PredictionService } from './prediction-service.js';

/** What the routes share: built once by `createApiContext`, or by tests around their own Redis. */
export interface ApiContext {
  config: ApiConfig;
  repository: ModelRepository;
  service: PredictionService;
  events: PredictionEvents;
  metrics: ApiMetrics;
}
