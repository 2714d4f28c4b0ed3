import type { Redis } from 'ioredis';
import {
  versionStateOf,
  type DesiredVersionState, type RedisKeys, type VersionRecord, type VersionState, type WorkerVersionReport, type WorkerVersionState,
} from '@inferq/contract';
import { readWorkerHeartbeats } from '../worker-heartbeats.js';

/** A version's state as the API reports it (`GET /v1/models/{model}`). */
export interface VersionStatus {
  version: string;
  state: VersionState;
  desired: DesiredVersionState;
  reason?: string;
  /** Live workers' states, by worker id. */
  workers: Record<string, WorkerVersionState>;
  /** `repository` (scanned at start-up) or `registered` (at run time). */
  origin: 'repository' | 'registered';
  sha256?: string;
}

/** Reports older than this whose worker has no heartbeat are deleted (a crashed worker's). */
const STALE_REPORT_MS = 60_000;

/** Live worker ids and the models each lists in its heartbeat. */
export async function liveWorkers(redis: Redis, keys: RedisKeys): Promise<Map<string, Set<string>>> {
  const values = await readWorkerHeartbeats(redis, keys);
  const live = new Map<string, Set<string>>();
  for (const text of values) {
    try {
      const beat = JSON.parse(text) as { id?: unknown; models?: Array<{ model?: unknown }> };
      if (typeof beat.id === 'string') live.set(beat.id, new Set((beat.models ?? []).map((m) => String(m.model))));
    } catch { /* a heartbeat being rewritten: next round */ }
  }
  return live;
}

/**
 * Reads the state of versions: their reports (live workers only; stale reports of dead workers
 * are pruned on the way) combined with the desired state by `versionStateOf`.
 */
export async function readVersionStatuses(
  redis: Redis, keys: RedisKeys,
  versions: ReadonlyArray<{ model: string; version: string; origin: 'repository' | 'registered'; record: VersionRecord | undefined }>,
  live: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<VersionStatus[]> {
  if (versions.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const v of versions) pipeline.hgetall(keys.modelState(v.model, v.version));
  const results = (await pipeline.exec()) ?? [];
  const now = Date.now();
  const prune = redis.pipeline();
  let pruning = 0;
  const statuses = versions.map((v, i) => {
    const raw = (results[i]?.[1] ?? {}) as Record<string, string>;
    const reports = new Map<string, WorkerVersionReport>();
    for (const [worker, text] of Object.entries(raw)) {
      let report: WorkerVersionReport;
      try { report = JSON.parse(text) as WorkerVersionReport; } catch { continue; }
      if (live.has(worker)) reports.set(worker, report);
      else if (now - (report.at ?? 0) > STALE_REPORT_MS) { prune.hdel(keys.modelState(v.model, v.version), worker); pruning++; }
    }
    const serving = [...live].filter(([id, models]) => models.has(v.model) || reports.has(id)).length;
    const desired = v.record?.desired ?? 'loaded';
    const { state, reason } = versionStateOf({ desired, reports, servingWorkers: serving });
    const status: VersionStatus = {
      version: v.version, state, desired, origin: v.origin,
      workers: Object.fromEntries([...reports].map(([id, r]) => [id, r.state])),
    };
    if (reason !== undefined) status.reason = reason;
    if (v.record?.registered) status.sha256 = v.record.registered.sha256;
    return status;
  });
  if (pruning > 0) await prune.exec().catch(() => {});
  return statuses;
}
