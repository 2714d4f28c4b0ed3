/**
 * The drift experiment behind `npm run demo:drift` and its integration test: windows of real Iris
 * traffic, unshifted then shifted, each window sent and judged before the next (so window
 * contents, and therefore the figures, depend only on the seed), then per detection rule: the
 * false alarms on unshifted windows and the windows until detection after the shift.
 */
import type { WindowReport } from '@inferq/contract';
import { createRandom } from '@inferq/monitoring';
import { irisSampler, type IrisFlower } from './iris-sampler.js';

/** Detection rules compared (names as printed). */
export const DRIFT_RULES = {
  /** Evidently's dataset drift: ≥ 50 % of the features drift in the window (KS p ≤ 0.05 each). */
  dataset_drift: (r: WindowReport) => r.drift?.datasetDrift === true,
  /** Evidently's per-feature verdict, any feature, this window alone. */
  any_feature_drift: (r: WindowReport) => Object.values(r.drift?.features ?? {}).some((d) => d.drifted),
  /** A feature drifted in DRIFT_PERSISTENCE (2) consecutive windows: the `feature_drift:<f>` alert. */
  persistent_feature_drift: (r: WindowReport) => (r.drift?.persistentFeatures.length ?? 0) > 0,
  /** Predicted classes vs the reference labels (chi-squared p < 0.05), this window alone. */
  prediction_drift: (r: WindowReport) => r.drift?.prediction?.drifted === true,
  /** …in DRIFT_PERSISTENCE consecutive windows: the `prediction_drift` alert. */
  persistent_prediction_drift: (r: WindowReport) => r.drift?.prediction?.persistent === true,
} as const satisfies Record<string, (r: WindowReport) => boolean>;

export type DriftRule = keyof typeof DRIFT_RULES;

/** Settings of an experiment. */
export interface DriftExperimentOptions {
  /** Independent runs; run i uses seed `seed + i`. */
  runs: number;
  /** Windows of unshifted traffic per run. */
  unshiftedWindows: number;
  /** Windows of shifted traffic per run. */
  shiftedWindows: number;
  /** Rows per window (the monitor's WINDOW_SIZE). */
  windowSize: number;
  seed: number;
  /** Added to each feature after the shift (cm). */
  shift: readonly number[];
  /** Sends one window of flowers and resolves with the monitor's report of that window. */
  sendWindow(flowers: IrisFlower[]): Promise<WindowReport>;
  /** Clears the monitor's state of the model version before a run (window numbers, persistence). */
  reset(): Promise<void>;
  /** Called after each judged window (progress output). */
  onWindow?(run: number, index: number, shifted: boolean, report: WindowReport): void;
}

/** One run's verdicts: per rule, flagged unshifted windows and the first flagged shifted window (1-based). */
export interface RunResult {
  seed: number;
  falseAlarms: Record<DriftRule, number>;
  /** undefined: not detected within the shifted windows. */
  detectedAfter: Record<DriftRule, number | undefined>;
}

/** Figures over all runs, per rule. */
export interface ExperimentSummary {
  runs: number;
  unshiftedWindows: number;
  rules: Record<DriftRule, {
    falseAlarms: number;
    falseAlarmRate: number;
    /** Windows until detection per run (undefined: missed). */
    delays: Array<number | undefined>;
    detectedRuns: number;
    meanDelay: number | null;
    maxDelay: number | null;
  }>;
}

const RULES = Object.keys(DRIFT_RULES) as DriftRule[];

/** Runs the experiment. */
export async function runDriftExperiment(options: DriftExperimentOptions): Promise<{ results: RunResult[]; summary: ExperimentSummary }> {
  const results: RunResult[] = [];
  for (let run = 0; run < options.runs; run++) {
    const seed = options.seed + run;
    await options.reset();
    const random = createRandom(seed);
    const next = () => random.next();
    const unshifted = irisSampler(next);
    const shifted = irisSampler(next, options.shift);
    const result: RunResult = {
      seed,
      falseAlarms: Object.fromEntries(RULES.map((r) => [r, 0])) as Record<DriftRule, number>,
      detectedAfter: Object.fromEntries(RULES.map((r) => [r, undefined])) as Record<DriftRule, number | undefined>,
    };
    const total = options.unshiftedWindows + options.shiftedWindows;
    for (let w = 0; w < total; w++) {
      const isShifted = w >= options.unshiftedWindows;
      const sample = isShifted ? shifted : unshifted;
      const report = await options.sendWindow(Array.from({ length: options.windowSize }, sample));
      for (const rule of RULES) {
        if (!DRIFT_RULES[rule](report)) continue;
        if (!isShifted) result.falseAlarms[rule]++;
        else result.detectedAfter[rule] ??= w - options.unshiftedWindows + 1;
      }
      options.onWindow?.(run, w, isShifted, report);
    }
    results.push(result);
  }
  return { results, summary: summarizeRuns(results, options.unshiftedWindows) };
}

/** Aggregates run results. */
export function summarizeRuns(results: readonly RunResult[], unshiftedWindows: number): ExperimentSummary {
  const windows = results.length * unshiftedWindows;
  const rules = Object.fromEntries(RULES.map((rule) => {
    const falseAlarms = results.reduce((n, r) => n + r.falseAlarms[rule], 0);
    const delays = results.map((r) => r.detectedAfter[rule]);
    const detected = delays.filter((d): d is number => d !== undefined);
    return [rule, {
      falseAlarms,
      falseAlarmRate: windows > 0 ? falseAlarms / windows : 0,
      delays,
      detectedRuns: detected.length,
      meanDelay: detected.length > 0 ? detected.reduce((a, b) => a + b, 0) / detected.length : null,
      maxDelay: detected.length > 0 ? Math.max(...detected) : null,
    }];
  })) as ExperimentSummary['rules'];
  return { runs: results.length, unshiftedWindows: windows, rules };
}

/** The summary as a table for the terminal and docs. */
export function formatSummary(summary: ExperimentSummary, shiftedWindows: number): string {
  const lines = [
    `| rule | false alarms (unshifted windows) | detected runs | windows until detection: mean / max |`,
    `| --- | --- | --- | --- |`,
  ];
  for (const rule of RULES) {
    const r = summary.rules[rule];
    const delay = r.meanDelay === null ? 'never' : `${r.meanDelay.toFixed(2)} / ${r.maxDelay}`;
    lines.push(`| \`${rule}\` | ${r.falseAlarms} / ${summary.unshiftedWindows} = ${(r.falseAlarmRate * 100).toFixed(2)} % | ${r.detectedRuns} / ${summary.runs} (within ${shiftedWindows}) | ${delay} |`);
  }
  return lines.join('\n');
}
