/**
 * The one READY check of traffic routing: whether a version may be given traffic now. Until
 * runtime model control (load/unload, version states) is merged, every version in the repository
 * is loaded and serving, so "in the repository" is the check; the merge replaces the body with
 * the model-control `versionState(model, version) === 'READY'`.
 */
import type { ModelRepository } from '@inferq/model-repository';

/** True when `version` of `model` can serve traffic now. */
export function isRoutable(repository: ModelRepository, model: string, version: string): boolean {
  try {
    return repository.versions(model).includes(version);
  } catch {
    return false; // MODEL_NOT_FOUND
  }
}
