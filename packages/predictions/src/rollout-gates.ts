import { DEFAULT_MIN_SAMPLES, type RolloutGates, type StepFigures } from '@inferq/contract';

/** What a step's figures say: too early to judge, every gate passes, or one fails (and which). */
export type GateVerdict =
  | { verdict: 'wait'; reason: string }
  | { verdict: 'pass' }
  | { verdict: 'fail'; gate: keyof RolloutGates; value: number; limit: number; reason: string };

/**
 * Judges a step's figures against the gates (pure). A step is judged once the candidate served
 * `minSamples` predictions in it (and, with `minAgreement`, as many mirrored pairs were compared);
 * a failing gate is reported as soon as that many are in, even before `stepSeconds` ran out
 * (fail fast: a broken version should not keep its share for the rest of the step).
 *
 * @param judgeAgreement - false at a step where the candidate has all traffic (no baseline
 *   requests left to mirror, so no new pairs): the agreement gate is not checked there.
 */
export function judgeStep(gates: RolloutGates, figures: StepFigures, judgeAgreement: boolean): GateVerdict {
  const minSamples = gates.minSamples ?? DEFAULT_MIN_SAMPLES;
  if (figures.samples < minSamples) return { verdict: 'wait', reason: `waiting for samples: ${figures.samples} of ${minSamples}` };
  if (gates.maxErrorRate !== undefined && figures.errorRate > gates.maxErrorRate) {
    return fail('maxErrorRate', figures.errorRate, gates.maxErrorRate, `error rate ${fmt(figures.errorRate)} > maxErrorRate ${fmt(gates.maxErrorRate)} over ${figures.samples} predictions`);
  }
  if (gates.maxLatencyP95Ms !== undefined && figures.latencyP95Ms > gates.maxLatencyP95Ms) {
    return fail('maxLatencyP95Ms', figures.latencyP95Ms, gates.maxLatencyP95Ms, `latency p95 ${fmt(figures.latencyP95Ms)} ms > maxLatencyP95Ms ${fmt(gates.maxLatencyP95Ms)} ms over ${figures.samples} predictions`);
  }
  if (gates.minAgreement !== undefined && judgeAgreement) {
    if (figures.pairs < minSamples || figures.agreement === undefined) return { verdict: 'wait', reason: `waiting for compared pairs: ${figures.pairs} of ${minSamples}` };
    if (figures.agreement < gates.minAgreement) {
      return fail('minAgreement', figures.agreement, gates.minAgreement, `agreement ${fmt(figures.agreement)} < minAgreement ${fmt(gates.minAgreement)} over ${figures.pairs} pairs`);
    }
  }
  return { verdict: 'pass' };
}

function fail(gate: keyof RolloutGates, value: number, limit: number, reason: string): GateVerdict {
  return { verdict: 'fail', gate, value, limit, reason: `gate ${gate} failed: ${reason}` };
}

const fmt = (n: number) => String(Math.round(n * 10_000) / 10_000);

/** Why a request body cannot run (pure); undefined when it can. The schema checked the types. */
export function rolloutBodyProblem(steps: readonly number[], approval: readonly number[]): string | undefined {
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! <= steps[i - 1]!) return `steps must be strictly increasing (steps[${i}] = ${steps[i]} after ${steps[i - 1]})`;
  }
  if (steps.at(-1) !== 100) return `steps must end at 100 (the last is ${steps.at(-1)})`;
  for (const value of approval) if (!steps.includes(value)) return `approval value ${value} is not one of steps (${steps.join(', ')})`;
  return undefined;
}
