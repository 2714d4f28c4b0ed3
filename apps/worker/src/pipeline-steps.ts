/**
 * Builds the runnable steps of a pipeline version: processors from the registry, custom modules
 * imported from the version directory, model steps bound to their model version's server (so
 * they share its micro-batches with every other request for that model).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_STEP_TIMEOUT_MS, InferqError, PredictionFailure } from '@inferq/contract';
import type { LoadedPipeline, ModelVersion } from '@inferq/model-repository';
import { PROCESSORS, type CustomStepModule, type NamedTensors, type ProcessingStep, type StepSource } from '@inferq/processing';
import { allocateValues, type Tensor } from '@inferq/tensor';
import type { ModelVersionServer, QueuedPrediction } from './model-version-server.js';

/** What one step reports besides its outputs. */
export interface StepRun {
  outputs: NamedTensors;
  batchSize?: number;
  batchRequests?: number;
}

/** A step ready to run for one prediction of the pipeline. */
export interface RunnableStep {
  id: string;
  kind: 'model' | 'processor' | 'module';
  run(inputs: NamedTensors, job: QueuedPrediction['job']): Promise<StepRun>;
}

/** Finds (loading if needed) the server of a step's model version. */
export type StepServerLookup = (model: ModelVersion) => Promise<ModelVersionServer>;

/** Builds every step of `pipeline`; throws (the version does not serve) when a module cannot be loaded. */
export async function buildSteps(pipeline: LoadedPipeline, servers: StepServerLookup): Promise<Map<string, RunnableStep>> {
  const steps = new Map<string, RunnableStep>();
  for (const [index, { step, kind }] of pipeline.graph.order.entries()) {
    const source: StepSource = { dir: pipeline.dir, where: `${join(pipeline.dir, 'pipeline.json')}: steps[${index}] "${step.id}"` };
    if (kind === 'model') {
      steps.set(step.id, modelStep(step.id, pipeline.stepModels.get(step.id)!, await servers(pipeline.stepModels.get(step.id)!)));
      continue;
    }
    const processing = kind === 'processor'
      ? PROCESSORS.get(step.processor!)!.create(step.options ?? {}, source)
      : await loadModule(join(pipeline.dir, step.module!), step.options ?? {}, source);
    steps.set(step.id, processingStep(step.id, kind, processing, step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS));
  }
  return steps;
}

async function loadModule(file: string, options: Readonly<Record<string, unknown>>, source: StepSource): Promise<ProcessingStep> {
  const loaded = (await import(pathToFileURL(file).href)) as CustomStepModule;
  const step = loaded.createStep ? await loaded.createStep(options, source) : loaded.default;
  if (!step || typeof step.run !== 'function') {
    throw new Error(`${source.where}: module ${file} must export createStep(options) or a default { run(inputs, context) }`);
  }
  return step;
}

/**
 * A processor or module step under its time limit. A throw fails the prediction naming the step:
 * an InferqError keeps its code (bad input found late, e.g. INVALID_IMAGE), anything else is
 * STEP_FAILED; passing the limit is STEP_TIMEOUT and aborts the step's signal. The limit cannot
 * stop synchronous code that never yields (docs/pipelines.md).
 */
export function processingStep(id: string, kind: 'processor' | 'module', step: ProcessingStep, timeoutMs: number): RunnableStep {
  return {
    id, kind,
    async run(inputs) {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new PredictionFailure('STEP_TIMEOUT', `step "${id}" ran longer than its time limit of ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        const outputs = await Promise.race([Promise.resolve().then(() => step.run(inputs, { stepId: id, signal: controller.signal })), timeout]);
        if (typeof outputs !== 'object' || outputs === null) throw new Error('it returned no outputs object');
        return { outputs };
      } catch (error) {
        if (error instanceof PredictionFailure) throw error;
        if (error instanceof InferqError) throw new PredictionFailure(error.code, `step "${id}": ${error.message}`, { cause: error });
        throw new PredictionFailure('STEP_FAILED', `step "${id}" failed: ${String((error as Error)?.message ?? error).slice(0, 500)}`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * A model step: its inputs go to the model version's micro-batcher as a `pipeline` item, so
 * concurrent pipeline requests (and plain requests for that model) share batches.
 */
export function modelStep(id: string, model: ModelVersion, server: ModelVersionServer): RunnableStep {
  const fail = (message: string, cause?: unknown) => new PredictionFailure('STEP_FAILED', `step "${id}" (model ${model.name}:${model.version}) failed: ${message}`, { cause });
  return {
    id, kind: 'model',
    async run(inputs, job) {
      const tensors: Tensor[] = model.inputs.map((meta) => {
        const given = inputs[meta.name];
        if (!given) throw fail(`input "${meta.name}" is missing`);
        const fits = given.datatype === meta.datatype && given.shape.length === meta.shape.length && meta.shape.every((d, axis) => d === -1 || d === given.shape[axis]);
        if (!fits) throw fail(`input "${meta.name}" is ${given.datatype} [${given.shape.join(', ')}], the model takes ${meta.datatype} [${meta.shape.join(', ')}]`);
        return { ...given, name: meta.name };
      }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // the batcher's key expects name order
      const rows = model.maxBatchSize > 0 ? tensors[0]!.shape[0]! : 1;
      if (rows === 0) {
        // Nothing to run (e.g. an image without text): empty outputs of the model's row shape.
        const outputs: Record<string, Tensor> = {};
        for (const o of model.outputs) {
          const shape = [0, ...o.shape.slice(1).map((d) => Math.max(d, 0))];
          outputs[o.name] = { name: o.name, datatype: o.datatype, shape, data: allocateValues(o.datatype, 0) };
        }
        return { outputs, batchSize: 0, batchRequests: 0 };
      }
      const outcome = await server.submit({ id: `${job.id}/${id}`, job, inputs: tensors, rows, owner: 'pipeline' });
      if (!outcome.ok) throw fail(outcome.error.message.slice(0, 500), outcome.error);
      return { outputs: Object.fromEntries(outcome.outputs.map((t) => [t.name, t])), batchSize: outcome.batchRows, batchRequests: outcome.batchRequests };
    },
  };
}
