/**
 * Runs a pipeline's graph for one prediction: each step starts as soon as the steps it reads
 * have finished, so independent branches run at the same time; intermediate tensors stay here.
 */
import type { PredictionJobData, StepTiming } from '@inferq/contract';
import type { LoadedPipeline } from '@inferq/model-repository';
import type { NamedTensors, Reference } from '@inferq/processing';
import { PredictionFailure } from '@inferq/contract';
import type { Tensor } from '@inferq/tensor';
import type { RunnableStep } from './pipeline-steps.js';

/** A finished run: the pipeline outputs by name and one timing per step. */
export interface PipelineRunResult {
  outputs: Tensor[];
  steps: StepTiming[];
}

/**
 * Runs every step of `pipeline` on `inputs` (the job's tensors by name). Rejects with the first
 * step's PredictionFailure (naming the step); the other branches finish unobserved.
 * @param now - clock in ms, for tests.
 */
export async function runPipeline(
  pipeline: LoadedPipeline, steps: ReadonlyMap<string, RunnableStep>, inputs: NamedTensors, job: PredictionJobData,
  now: () => number = performance.now.bind(performance),
): Promise<PipelineRunResult> {
  const timings: StepTiming[] = [];
  const results = new Map<string, Promise<NamedTensors>>();
  const pick = async (ref: Reference, reader: string): Promise<Tensor> => {
    if (ref.kind === 'input') return inputs[ref.name]!;
    const outputs = await results.get(ref.step)!;
    const tensor = outputs[ref.tensor];
    if (!tensor) {
      throw new PredictionFailure('STEP_FAILED', `step "${ref.step}" gave no output "${ref.tensor}" (it gave ${Object.keys(outputs).join(', ') || 'none'}), which ${reader} reads`);
    }
    return tensor;
  };
  // The order is topological, so every step's producers have their promise when it is created.
  for (const { step, inputs: refs } of pipeline.graph.order) {
    const runnable = steps.get(step.id)!;
    results.set(step.id, (async () => {
      const named: Record<string, Tensor> = {};
      for (const [name, ref] of refs) named[name] = { ...(await pick(ref, `step "${step.id}"`)), name };
      const started = now();
      const run = await runnable.run(named, job);
      const timing: StepTiming = { id: step.id, kind: runnable.kind, ms: Math.round((now() - started) * 1000) / 1000 };
      if (run.batchSize !== undefined) timing.batchSize = run.batchSize;
      if (run.batchRequests !== undefined) timing.batchRequests = run.batchRequests;
      timings.push(timing);
      return run.outputs;
    })());
  }
  await Promise.all(results.values());
  const outputs: Tensor[] = [];
  for (const declared of pipeline.config.outputs) {
    const tensor = await pick(pipeline.graph.outputs.get(declared.name)!, `output "${declared.name}"`);
    if (tensor.datatype !== declared.datatype) {
      throw new PredictionFailure('STEP_FAILED', `output "${declared.name}" is ${tensor.datatype}, pipeline.json declares ${declared.datatype}`);
    }
    outputs.push({ ...tensor, name: declared.name });
  }
  return { outputs, steps: timings };
}
