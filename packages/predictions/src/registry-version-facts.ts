/**
 * Version facts for rollouts in a process that does not run model control itself (the monitor,
 * which drives rollouts): the repository directory's versions plus the versions registered at run
 * time, with READY read from the workers' state reports. Refreshed from Redis in the background
 * (`refresh()`, called each rollout tick) so the rollout engine's synchronous questions cost no
 * round trip; a version the last refresh did not see READY is not ready.
 */
import type { Redis } from 'ioredis';
import { parseRegistry, type RedisKeys, type WorkerVersionReport } from '@inferq/contract';
import type { RolloutVersionFacts } from './rollout-traffic.js';

interface KnownVersion {
  /** False: a version of the repository directory (servable unless unloaded). */
  registered: boolean;
  unloaded: boolean;
  ready: boolean;
}

/** Facts the engine asks synchronously, plus the refresh that keeps them current. */
export interface RefreshingVersionFacts extends RolloutVersionFacts {
  refresh(): Promise<void>;
}

/**
 * @param directory - the repository directory's versions and default version, as loaded at start-up
 */
export function registryVersionFacts(
  redis: Redis,
  keys: RedisKeys,
  directory: { versions(model: string): string[]; defaultVersion?(model: string): string | undefined },
): RefreshingVersionFacts {
  let known = new Map<string, Map<string, KnownVersion>>();
  const directoryVersions = (model: string): string[] => {
    try { return directory.versions(model); } catch { return []; }
  };
  const versionsOf = (model: string): string[] => {
    const all = new Set([...directoryVersions(model), ...(known.get(model)?.keys() ?? [])]);
    return [...all].sort((a, b) => Number(a) - Number(b));
  };
  return {
    versions: versionsOf,
    isReady(model, version) {
      const fact = known.get(model)?.get(version);
      if (!fact) return directoryVersions(model).includes(version);
      if (fact.unloaded) return false;
      return fact.registered ? fact.ready : true;
    },
    defaultVersion(model) {
      try {
        const fromDirectory = directory.defaultVersion?.(model) ?? directoryVersions(model).at(-1);
        if (fromDirectory !== undefined) return fromDirectory;
      } catch { /* a model with registered versions only */ }
      return versionsOf(model).find((v) => this.isReady(model, v));
    },
    async refresh() {
      const records = [...parseRegistry(await redis.hgetall(keys.modelRegistry)).values()];
      const reports = await Promise.all(records.map((r) => redis.hvals(keys.modelState(r.model, r.version))));
      const next = new Map<string, Map<string, KnownVersion>>();
      records.forEach((record, i) => {
        const ready = reports[i]!.some((json) => {
          try { return (JSON.parse(json) as WorkerVersionReport).state === 'READY'; } catch { return false; }
        });
        let versions = next.get(record.model);
        if (!versions) next.set(record.model, (versions = new Map()));
        versions.set(record.version, { registered: record.registered !== undefined, unloaded: record.desired === 'unloaded', ready });
      });
      known = next;
    },
  };
}
