/**
 * The step graph of a pipeline.json: references resolved, checked for unknown names and cycles,
 * and put in topological order. Pure: no files, no models (model-repository checks model steps
 * against the loaded models; the worker builds and runs the steps).
 */
import type { PipelineConfig, PipelineStep } from '@inferq/contract';

/** A parsed reference: a pipeline input or a step's output tensor. */
export type Reference = { kind: 'input'; name: string } | { kind: 'step'; step: string; tensor: string };

/** A step with its references parsed and the steps it waits for. */
export interface PlannedStep {
  step: PipelineStep;
  kind: 'model' | 'processor' | 'module';
  /** The step's input names → where each comes from. */
  inputs: ReadonlyMap<string, Reference>;
  /** Ids of the steps whose outputs it reads. */
  after: readonly string[];
}

/** The checked graph. */
export interface PipelineGraph {
  /** Steps in a topological order (a step comes after every step it reads). */
  order: readonly PlannedStep[];
  /** Pipeline output name → where it comes from. */
  outputs: ReadonlyMap<string, Reference>;
}

/** Parses `$input.<name>` or `<step>.<tensor>` (the tensor name may itself contain dots). */
export function parseReference(text: string): Reference {
  const dot = text.indexOf('.');
  const head = text.slice(0, dot);
  const tail = text.slice(dot + 1);
  return head === '$input' ? { kind: 'input', name: tail } : { kind: 'step', step: head, tensor: tail };
}

/**
 * Checks the graph and orders it. Every error starts with `where` and names the step:
 * duplicate ids, a step that is not exactly one of model/processor/module, a reference to an
 * unknown input or step, a cycle, a step no output depends on.
 */
export function planPipeline(config: PipelineConfig, where: string): PipelineGraph {
  const inputNames = new Set(config.inputs.map((i) => i.name));
  if (inputNames.size !== config.inputs.length) throw new Error(`${where}: two inputs share a name`);
  const outputNames = new Set(config.outputs.map((o) => o.name));
  if (outputNames.size !== config.outputs.length) throw new Error(`${where}: two outputs share a name`);
  const byId = new Map<string, PlannedStep>();
  config.steps.forEach((step, index) => {
    const at = `${where}: steps[${index}] "${step.id}"`;
    if (byId.has(step.id)) throw new Error(`${at}: the id is used twice`);
    const kinds = (['model', 'processor', 'module'] as const).filter((k) => step[k] !== undefined);
    if (kinds.length !== 1) throw new Error(`${at}: a step has exactly one of "model", "processor" or "module" (it has ${kinds.join(', ') || 'none'})`);
    if (step.version !== undefined && kinds[0] !== 'model') throw new Error(`${at}: "version" is only for model steps`);
    if (Object.keys(step.inputs).length === 0) throw new Error(`${at}: "inputs" is empty`);
    const inputs = new Map<string, Reference>();
    for (const [name, text] of Object.entries(step.inputs)) inputs.set(name, parseReference(text));
    const after = [...new Set([...inputs.values()].flatMap((r) => (r.kind === 'step' ? [r.step] : [])))];
    byId.set(step.id, { step, kind: kinds[0]!, inputs, after });
  });
  const check = (ref: Reference, at: string) => {
    if (ref.kind === 'input' && !inputNames.has(ref.name)) throw new Error(`${at}: "$input.${ref.name}" is not an input of the pipeline (${[...inputNames].join(', ')})`);
    if (ref.kind === 'step' && !byId.has(ref.step)) throw new Error(`${at}: no step has the id "${ref.step}"`);
  };
  for (const planned of byId.values()) {
    for (const [name, ref] of planned.inputs) check(ref, `${where}: step "${planned.step.id}" input "${name}"`);
  }
  const outputs = new Map(config.outputs.map((o) => [o.name, parseReference(o.from)]));
  for (const [name, ref] of outputs) {
    check(ref, `${where}: output "${name}"`);
    if (ref.kind === 'input') throw new Error(`${where}: output "${name}" must come from a step`);
  }

  // Depth-first topological sort; a grey node met again is a cycle, reported with its path.
  const order: PlannedStep[] = [];
  const state = new Map<string, 'grey' | 'black'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'black') return;
    if (state.get(id) === 'grey') throw new Error(`${where}: the steps form a cycle: ${[...path.slice(path.indexOf(id)), id].join(' → ')}`);
    state.set(id, 'grey');
    const planned = byId.get(id)!;
    for (const dep of planned.after) visit(dep, [...path, id]);
    state.set(id, 'black');
    order.push(planned);
  };
  for (const id of byId.keys()) visit(id, []);

  // A step nothing reads is a mistake in the file (computed for nothing): refuse it.
  const used = new Set<string>();
  const mark = (id: string) => {
    if (used.has(id)) return;
    used.add(id);
    for (const dep of byId.get(id)!.after) mark(dep);
  };
  for (const ref of outputs.values()) if (ref.kind === 'step') mark(ref.step);
  const unused = [...byId.keys()].filter((id) => !used.has(id));
  if (unused.length > 0) throw new Error(`${where}: no output depends on step(s) ${unused.map((id) => `"${id}"`).join(', ')}`);
  return { order, outputs };
}
