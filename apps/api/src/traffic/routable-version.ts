/**
 * The one READY check of traffic routing: whether a version may be given traffic now. A version
 * must be in the repository and, where model control is wired in, servable: a repository version
 * unless it was unloaded (its requests queue until a worker comes, as any request does), a version
 * registered at run time only once READY on some worker (docs/model-control.md).
 */
import type { ModelRepository } from '@inferq/model-repository';

/** Model control's answer to "does this version take predictions now" (ModelControl.isServable). */
export type ServableCheck = (model: string, version: string) => boolean;

/** True when `version` of `model` can serve traffic now. */
export function isRoutable(repository: ModelRepository, model: string, version: string, servable?: ServableCheck): boolean {
  try {
    if (!repository.versions(model).includes(version)) return false;
  } catch {
    return false; // MODEL_NOT_FOUND
  }
  return servable === undefined || servable(model, version);
}
