import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { InferqError, MODEL_NAME_PATTERN } from '@inferq/contract';
import { loadModelVersion, type ModelVersion } from './model-version.js';
import { loadPipelineVersion } from './pipeline-version.js';

/** A version directory name: a positive integer, as in Triton's repository layout. */
const VERSION_PATTERN = /^[1-9][0-9]{0,8}$/;

/** A model directory or version that could not be loaded, and why. */
export interface ModelLoadError {
  path: string;
  message: string;
}

/** A change of the repository's contents at run time. */
export interface RepositoryChange {
  kind: 'added' | 'removed';
  model: string;
  version: string;
}

const keyOf = (model: string, version: string) => `${model}\u0000${version}`;

/**
 * The models served: `<root>/<model>/<version>/model.onnx` (+ optional `config.json`) as scanned
 * at start-up, plus versions registered (and removed) at run time (model control). Versions are
 * positive integers. The default version of a model (`resolve(model)`) is the highest version
 * that was in the directory at start-up, so registering a version never moves unpinned traffic;
 * a model with registered versions only defaults to the lowest one marked serving
 * (`setServing`), else its lowest.
 */
export class ModelRepository {
  readonly root: string;
  readonly #models = new Map<string, Map<string, ModelVersion>>();
  /** Versions scanned from the directory at start-up. */
  readonly #fromDirectory = new Set<string>();
  /** Registered versions known to be READY (default-version choice for models without directory versions). */
  readonly #serving = new Set<string>();
  readonly #listeners = new Set<(change: RepositoryChange) => void>();

  constructor(root: string, models: ReadonlyMap<string, ReadonlyMap<string, ModelVersion>>) {
    this.root = root;
    for (const [name, versions] of models) {
      this.#models.set(name, new Map(versions));
      for (const version of versions.keys()) this.#fromDirectory.add(keyOf(name, version));
    }
  }

  /** Model names, sorted. */
  modelNames(): string[] {
    return [...this.#models.keys()].sort();
  }

  /** Versions of a model, ascending numerically. Throws MODEL_NOT_FOUND. */
  versions(model: string): string[] {
    const versions = this.#models.get(model);
    if (!versions) throw new InferqError('MODEL_NOT_FOUND', `model "${model.slice(0, 128)}" is not in the repository`);
    return [...versions.keys()].sort((a, b) => Number(a) - Number(b));
  }

  /** The version unpinned requests go to when no traffic policy says otherwise (see the class doc). Throws MODEL_NOT_FOUND. */
  defaultVersion(model: string): string {
    const versions = this.versions(model);
    const fromDirectory = versions.filter((v) => this.#fromDirectory.has(keyOf(model, v)));
    if (fromDirectory.length > 0) return fromDirectory[fromDirectory.length - 1]!;
    return versions.find((v) => this.#serving.has(keyOf(model, v))) ?? versions[0]!;
  }

  /** The given version, or the default version when `version` is undefined. Throws MODEL_NOT_FOUND / VERSION_NOT_FOUND. */
  resolve(model: string, version?: string): ModelVersion {
    const wanted = version ?? this.defaultVersion(model);
    const found = this.#models.get(model)?.get(wanted);
    if (!found) {
      throw new InferqError('VERSION_NOT_FOUND', `model "${model}" has no version "${wanted.slice(0, 32)}" (versions: ${this.versions(model).join(', ')})`);
    }
    return found;
  }

  /** Every version of every model. */
  all(): ModelVersion[] {
    return this.modelNames().flatMap((name) => this.versions(name).map((v) => this.resolve(name, v)));
  }

  /** True for a version scanned from the directory at start-up (not registered at run time). */
  isFromDirectory(model: string, version: string): boolean {
    return this.#fromDirectory.has(keyOf(model, version));
  }

  /** Adds (or replaces) a version registered at run time; a new model name appears with it. */
  register(version: ModelVersion): void {
    let versions = this.#models.get(version.name);
    if (!versions) this.#models.set(version.name, (versions = new Map()));
    const replaced = versions.has(version.version);
    versions.set(version.version, version);
    if (!replaced) this.#emit({ kind: 'added', model: version.name, version: version.version });
  }

  /** Removes a version registered at run time (no-op when absent); a model left without versions disappears. */
  remove(model: string, version: string): void {
    const versions = this.#models.get(model);
    if (!versions?.delete(version)) return;
    this.#fromDirectory.delete(keyOf(model, version));
    this.#serving.delete(keyOf(model, version));
    if (versions.size === 0) this.#models.delete(model);
    this.#emit({ kind: 'removed', model, version });
  }

  /** Marks a registered version as serving (READY) or not: only the default of a model without directory versions depends on it. */
  setServing(model: string, version: string, serving: boolean): void {
    if (serving) this.#serving.add(keyOf(model, version));
    else this.#serving.delete(keyOf(model, version));
  }

  /** Calls `listener` after each version added or removed; returns the function that stops it. */
  onChange(listener: (change: RepositoryChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: RepositoryChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

/**
 * Scans a repository directory. A broken model or version is reported in `errors` and left out,
 * so one bad upload does not stop the others from serving. Throws only when `root` is unreadable.
 * @param only - when given, load just these model names
 */
export function loadModelRepository(root: string, only?: readonly string[]): { repository: ModelRepository; errors: ModelLoadError[] } {
  const errors: ModelLoadError[] = [];
  const models = new Map<string, Map<string, ModelVersion>>();
  // Pipelines load after every model, since their steps name models (see loadPipelines).
  const pipelines: Array<{ name: string; version: string; dir: string }> = [];
  for (const name of readdirSync(root).sort()) {
    const modelDir = join(root, name);
    // A dangling symlink stats as nothing: skipped like a file, not a reason to stop the scan.
    if (!statSync(modelDir, { throwIfNoEntry: false })?.isDirectory() || (only && !only.includes(name))) continue;
    if (!MODEL_NAME_PATTERN.test(name)) {
      errors.push({ path: modelDir, message: `model name must match ${MODEL_NAME_PATTERN}` });
      continue;
    }
    const versions = new Map<string, ModelVersion>();
    for (const version of readdirSync(modelDir)) {
      const versionDir = join(modelDir, version);
      if (!statSync(versionDir, { throwIfNoEntry: false })?.isDirectory()) continue;
      if (!VERSION_PATTERN.test(version)) {
        errors.push({ path: versionDir, message: 'version directories must be positive integers' });
        continue;
      }
      if (existsSync(join(versionDir, 'pipeline.json')) && !existsSync(join(versionDir, 'model.onnx'))) {
        pipelines.push({ name, version, dir: versionDir });
        continue;
      }
      try {
        versions.set(version, loadModelVersion(name, version, versionDir));
      } catch (error) {
        errors.push({ path: versionDir, message: (error as Error).message });
      }
    }
    if (versions.size > 0) models.set(name, versions);
  }
  loadPipelines(root, pipelines, models, errors);
  for (const name of only ?? []) {
    const modelDir = join(root, name);
    // Compare whole path segments: errors under `iris2/` say nothing about `iris`.
    if (!models.has(name) && !errors.some((e) => e.path === modelDir || e.path.startsWith(modelDir + sep))) {
      errors.push({ path: modelDir, message: 'model not found in the repository' });
    }
  }
  return { repository: new ModelRepository(root, models), errors };
}

/**
 * Loads the pipeline versions found by the scan. A model step names a model version loaded by
 * the scan or, when `only` left that model out, one loaded here for the pipeline alone (the
 * worker runs it for the pipeline without serving its queue).
 */
function loadPipelines(
  root: string, pipelines: ReadonlyArray<{ name: string; version: string; dir: string }>,
  models: Map<string, Map<string, ModelVersion>>, errors: ModelLoadError[],
): void {
  const extra = new Map<string, ModelVersion>();
  const resolveModel = (name: string, version: string | undefined): ModelVersion => {
    const served = models.get(name);
    if (served) {
      const latest = [...served.keys()].sort((a, b) => Number(b) - Number(a))[0]!;
      const found = served.get(version ?? latest);
      if (!found) throw new Error(`model "${name}" has no loaded version "${version}"`);
      return found;
    }
    const modelDir = join(root, name);
    if (!MODEL_NAME_PATTERN.test(name) || !statSync(modelDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`model "${name}" is not in the repository`);
    const wanted = version ?? readdirSync(modelDir).filter((v) => VERSION_PATTERN.test(v) && existsSync(join(modelDir, v, 'model.onnx'))).sort((a, b) => Number(b) - Number(a))[0];
    if (wanted === undefined) {
      const isPipeline = readdirSync(modelDir).some((v) => existsSync(join(modelDir, v, 'pipeline.json')));
      throw new Error(isPipeline ? `"${name}" is a pipeline; a model step must name a model` : `model "${name}" has no version with a model.onnx`);
    }
    const key = `${name}/${wanted}`;
    let found = extra.get(key);
    if (!found) extra.set(key, (found = loadModelVersion(name, wanted, join(modelDir, wanted))));
    return found;
  };
  for (const { name, version, dir } of pipelines) {
    try {
      const loaded = loadPipelineVersion(name, version, dir, resolveModel);
      let versions = models.get(name);
      if (!versions) models.set(name, (versions = new Map()));
      versions.set(version, loaded);
    } catch (error) {
      errors.push({ path: dir, message: (error as Error).message });
    }
  }
}
