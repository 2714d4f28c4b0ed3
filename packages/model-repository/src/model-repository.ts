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

/**
 * The models on disk: `<root>/<model>/<version>/model.onnx` (+ optional `config.json`).
 * Versions are positive integers; the highest is the default ("latest").
 */
export class ModelRepository {
  readonly root: string;
  readonly #models: ReadonlyMap<string, ReadonlyMap<string, ModelVersion>>;

  constructor(root: string, models: ReadonlyMap<string, ReadonlyMap<string, ModelVersion>>) {
    this.root = root;
    this.#models = models;
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

  /** The given version, or the latest when `version` is undefined. Throws MODEL_NOT_FOUND / VERSION_NOT_FOUND. */
  resolve(model: string, version?: string): ModelVersion {
    const versions = this.versions(model);
    const wanted = version ?? versions[versions.length - 1]!;
    const found = this.#models.get(model)!.get(wanted);
    if (!found) {
      throw new InferqError('VERSION_NOT_FOUND', `model "${model}" has no version "${wanted.slice(0, 32)}" (versions: ${versions.join(', ')})`);
    }
    return found;
  }

  /** Every loaded version of every model. */
  all(): ModelVersion[] {
    return this.modelNames().flatMap((name) => this.versions(name).map((v) => this.resolve(name, v)));
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
