/**
 * Loading `<dir>/pipeline.json`: a repository version that is a pipeline (docs/pipelines.md).
 * It is served like a model (same listing, metadata, queue and routes); what differs is kept in
 * `ModelVersion.pipeline`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve as resolvePath, sep } from 'node:path';
import { pipelineConfigValidator, type PipelineConfig } from '@inferq/contract';
import { planPipeline, PROCESSORS, type PipelineGraph } from '@inferq/processing';
import { DEFAULT_MAX_BATCH_SIZE, type ModelVersion } from './model-version.js';

/** What a loaded pipeline version holds besides its model-like signature. */
export interface LoadedPipeline {
  /** The version directory (custom step modules are read from it). */
  dir: string;
  config: PipelineConfig;
  graph: PipelineGraph;
  /** The model version each model step runs on (pinned at load: a step without "version" takes the latest then). */
  stepModels: ReadonlyMap<string, ModelVersion>;
}

/** Finds a model version for a step: name and optional version; throws naming what is missing. */
export type StepModelResolver = (name: string, version: string | undefined) => ModelVersion;

/** Reads and checks a pipeline.json (the file is known to exist). */
export function readPipelineConfig(path: string): PipelineConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const problem = pipelineConfigValidator.explain(parsed);
  if (problem) throw new Error(`${path}: ${problem.message}`);
  return parsed as PipelineConfig;
}

/**
 * Loads a pipeline version: checks the graph, that every model step names a loaded model version
 * (not another pipeline) with exactly the model's inputs and existing outputs, that every
 * processor is known with valid options, and that every module file exists inside the directory.
 */
export function loadPipelineVersion(name: string, version: string, dir: string, resolveModel: StepModelResolver): ModelVersion {
  const path = join(dir, 'pipeline.json');
  const config = readPipelineConfig(path);
  const graph = planPipeline(config, path);
  const stepModels = new Map<string, ModelVersion>();
  for (const [index, { step, kind, inputs }] of graph.order.entries()) {
    const at = `${path}: step "${step.id}"`;
    if (kind === 'model') {
      let model: ModelVersion;
      try {
        model = resolveModel(step.model!, step.version);
      } catch (error) {
        throw new Error(`${at}: ${(error as Error).message}`, { cause: error });
      }
      if (model.pipeline) throw new Error(`${at}: "${step.model}" is a pipeline; a model step must name a model`);
      const wanted = model.inputs.map((i) => i.name).sort();
      const given = [...inputs.keys()].sort();
      if (wanted.join('\u0000') !== given.join('\u0000')) {
        throw new Error(`${at}: inputs must be exactly the model's inputs (${wanted.join(', ')}), not ${given.join(', ')}`);
      }
      stepModels.set(step.id, model);
    } else if (kind === 'processor') {
      const definition = PROCESSORS.get(step.processor!);
      if (!definition) throw new Error(`${at}: unknown processor "${step.processor}" (known: ${[...PROCESSORS.keys()].join(', ')})`);
      definition.create(step.options ?? {}, { dir, where: `${path}: steps[${index}] "${step.id}"` }); // checks the options
    } else {
      const file = resolvePath(dir, step.module!);
      if (relative(dir, file).startsWith('..') || !file.startsWith(dir + sep)) throw new Error(`${at}: module "${step.module}" is outside the version directory`);
      if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`${at}: module "${step.module}" does not exist`);
    }
  }
  // Model steps' outputs that other steps or the pipeline read must exist.
  const readers = [...graph.order.flatMap((p) => [...p.inputs.values()]), ...graph.outputs.values()];
  for (const ref of readers) {
    if (ref.kind !== 'step') continue;
    const model = stepModels.get(ref.step);
    if (model && !model.outputs.some((o) => o.name === ref.tensor)) {
      throw new Error(`${path}: "${ref.step}.${ref.tensor}": model ${model.name}:${model.version} has no output "${ref.tensor}" (${model.outputs.map((o) => o.name).join(', ')})`);
    }
  }
  const featureNames: Record<string, string[]> = {};
  for (const input of config.inputs) {
    if (input.format === 'named-features') {
      if (!input.featureNames) throw new Error(`${path}: input "${input.name}" has format named-features but no featureNames`);
      featureNames[input.name] = input.featureNames;
    }
    if (input.format !== undefined && (input.datatype !== 'BYTES' || input.shape.length !== 1)) {
      throw new Error(`${path}: input "${input.name}" with format ${input.format} must be BYTES of shape [-1]`);
    }
  }
  const loaded: ModelVersion = {
    name, version, modelPath: path,
    maxBatchSize: config.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    maxQueueDelayMs: 0, preferredBatchSizes: [], adaptiveBatching: false,
    inputs: config.inputs.map(({ name: n, datatype, shape }) => ({ name: n, datatype, shape: [...shape] })),
    outputs: config.outputs.map(({ name: n, datatype, shape }) => ({ name: n, datatype, shape: [...shape] })),
    featureNames,
    pipeline: { dir, config, graph, stepModels },
  };
  if (config.description !== undefined) loaded.description = config.description;
  if (config.maxQueueSize !== undefined) loaded.maxQueueSize = config.maxQueueSize;
  return loaded;
}
