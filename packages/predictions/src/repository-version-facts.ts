import type { RolloutVersionFacts } from './rollout-traffic.js';

/**
 * Version facts from the static model repository (`ModelRepository`, whose `versions` throws for
 * an unknown model): every loaded version is READY and the latest
 * serves by default. Model control's run-time states (load/unload) replace it once merged.
 */
export function repositoryVersionFacts(repository: { versions(model: string): string[] }): RolloutVersionFacts {
  const versions = (model: string): string[] => {
    try { return repository.versions(model); } catch { return []; }
  };
  return {
    versions,
    isReady: (model, version) => versions(model).includes(version),
    defaultVersion: (model) => versions(model).at(-1),
  };
}
