import type { InputSummary, PredictionJobData, PredictionLogEntry } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import type { PredictionCache } from '@inferq/predictions';
import { predictionCacheKey, summarizeInput, type ValidatedRequest } from '@inferq/tensor';

/** What the submit path's cache step needs. */
export interface SubmitCacheDeps {
  cache: PredictionCache;
  /** `PREDICTION_LOG_SAMPLE_RATE`: share of cached answers logged, as workers log computed ones. @defaultValue 1 */
  logSampleRate?: number;
  /** Random source for sampling (tests fix it). @defaultValue Math.random */
  random?: () => number;
  /** Called once per lookup (metrics). */
  onLookup?: (model: string, version: string, hit: boolean) => void;
}

/**
 * The prediction cache at submit time (docs/cache.md): for a version whose config.json sets
 * `cache`, computes the request's key once (the job carries it, so the worker fills the entry
 * under the same key) and answers a hit at once in one Redis round trip, with no queue job.
 */
export class SubmitCache {
  readonly #deps: SubmitCacheDeps;

  constructor(deps: SubmitCacheDeps) {
    this.#deps = deps;
  }

  /** The cache key of a validated request; undefined when its version does not cache. */
  keyOf(target: ModelVersion, request: ValidatedRequest): string | undefined {
    if (!target.cache) return undefined;
    return predictionCacheKey({ model: target.name, version: target.version, inputs: request.inputs, outputs: request.outputs });
  }

  /**
   * Answers `job` from the cache when it holds `job.cacheKey`: its record is then already
   * `completed`, marked cached, owned by `owner`, announced and (sampled) logged. Returns whether
   * it was a hit; on a miss nothing was written but the miss count.
   */
  async answer(target: ModelVersion, request: ValidatedRequest, job: PredictionJobData, owner: string | undefined): Promise<boolean> {
    if (job.cacheKey === undefined) return false;
    const now = Date.now();
    const timings = { totalMs: now - job.createdAt };
    const rate = this.#deps.logSampleRate ?? 1;
    const sampled = rate >= 1 || (rate > 0 && (this.#deps.random ?? Math.random)() < rate);
    const hit = await this.#deps.cache.answer({
      key: job.cacheKey,
      record: { id: job.id, model: job.model, version: job.version, createdAt: job.createdAt, timings, ...(owner !== undefined ? { owner } : {}), ...(job.route !== undefined ? { route: job.route } : {}) },
      responseId: job.requestId ?? job.id,
      origin: job.origin,
      // Summarised before the lookup so a hit stays one round trip; a miss wastes it (cheap next to a queued job).
      log: sampled ? logEntry(target, request, job, now, rate, timings) : undefined,
    });
    this.#deps.onLookup?.(job.model, job.version, hit);
    return hit;
  }
}

function logEntry(target: ModelVersion, request: ValidatedRequest, job: PredictionJobData, now: number, sampleRate: number, timings: PredictionLogEntry['timings']): Omit<PredictionLogEntry, 'outputs'> {
  const inputs: Record<string, InputSummary> = {};
  for (const tensor of request.inputs) inputs[tensor.name] = summarizeInput(tensor, target.featureNames[tensor.name]);
  return {
    id: job.id, model: job.model, version: job.version, status: 'completed', createdAt: job.createdAt, finishedAt: now,
    sampleRate, rows: request.batchSize, worker: '', device: '', timings, inputs, cached: true,
    ...(job.route !== undefined ? { route: job.route } : {}),
  };
}
