/**
 * The processing-step interface: what a pre/post-processor, a custom module in a version
 * directory or a library (e.g. `@inferq/ocr`) implements to be a step of a pipeline.
 *
 * Values between steps are named in-memory tensors (`@inferq/tensor`'s `Tensor`): they never
 * leave the worker. A step that needs to pass structured side data (boxes, per-row metadata)
 * carries it in a BYTES tensor of JSON strings, one per row, or in numeric tensors.
 *
 * Libraries must import this file with `import type` only, so that `@inferq/processing` can
 * import their processors at run time without an import cycle.
 */
import type { Tensor } from '@inferq/tensor';

/** Named tensors: a step's inputs (by the names its `inputs` mapping gives) or outputs. */
export type NamedTensors = Readonly<Record<string, Tensor>>;

/** What a step gets besides its inputs. */
export interface StepContext {
  /** The step's `id` in pipeline.json (error messages name it). */
  readonly stepId: string;
  /** Aborted when the step's time limit passes; long steps should check it between chunks of work. */
  readonly signal: AbortSignal;
}

/**
 * One processing step, built once per pipeline version at load and then run for every
 * prediction (several at a time: it must not keep per-call state in fields).
 *
 * `run` receives whole requests (batch dimension first, as the client sent them) and returns its
 * outputs by name. A throw fails that prediction with STEP_FAILED naming the step; an
 * `InferqError` thrown keeps its code (e.g. INVALID_IMAGE for an undecodable image).
 */
export interface ProcessingStep {
  run(inputs: NamedTensors, context: StepContext): NamedTensors | Promise<NamedTensors>;
}

/** Where a step is built: for error messages and for steps that read files beside pipeline.json. */
export interface StepSource {
  /** Directory of the pipeline version (`models/<name>/<version>`). */
  readonly dir: string;
  /** `<dir>/pipeline.json: steps[i]`, the prefix of load errors. */
  readonly where: string;
}

/**
 * A built-in processor: a name usable as `"processor"` in pipeline.json and a factory that
 * checks the step's `options` once at load (throwing an Error whose message names the bad
 * option) and returns the step.
 */
export interface ProcessorDefinition {
  /** Kebab-case name, unique across all registered processors (e.g. `softmax`, `ocr-det-post`). */
  readonly name: string;
  /** One line for docs and load errors. */
  readonly description: string;
  create(options: Readonly<Record<string, unknown>>, source: StepSource): ProcessingStep;
}

/**
 * What a custom step module (`{"module": "./steps/foo.js"}` in pipeline.json, a JS file, or TS
 * where the worker runs under tsx) exports: `createStep(options, source)` returning a
 * ProcessingStep, or a ProcessingStep as its default export.
 */
export interface CustomStepModule {
  createStep?: (options: Readonly<Record<string, unknown>>, source: StepSource) => ProcessingStep | Promise<ProcessingStep>;
  default?: ProcessingStep;
}
