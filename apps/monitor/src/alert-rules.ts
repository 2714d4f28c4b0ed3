/**
 * Which alerts a window raises (rule names in docs/monitoring.md). Pure: the caller passes the
 * recent points of the series the anomaly rules look at.
 */
import type { AlertEvent, SeriesPoint, WindowReport } from '@inferq/contract';
import { holtWintersRule, thresholdRule, windowRule, type AnomalyResult, type MetricPoint } from '@inferq/monitoring';

/** Alert thresholds and anomaly-band settings (from the monitor's config). */
export interface AlertRuleSettings {
  /** 0 = off. */
  latencyP95ThresholdMs: number;
  /** 0 = off. */
  minMeanConfidence: number;
  /** 1 = off. */
  maxErrorRate: number;
  /** 0 = off. */
  accuracyThreshold: number;
  /** Band half-width (standard deviations) of the anomaly rules. */
  anomalyK: number;
  /** Holt–Winters season, in windows. */
  anomalySeasonLength: number;
}

/** Series the anomaly rules read, with the rule and the side that alerts. */
export const ANOMALY_RULES: ReadonlyArray<{ series: string; side: 'above' | 'below' | 'both'; kind: 'window' | 'holt-winters' }> = [
  { series: 'latency_p95', side: 'above', kind: 'window' },
  { series: 'mean_confidence', side: 'below', kind: 'window' },
  { series: 'throughput', side: 'both', kind: 'holt-winters' },
];

/** How many recent points the anomaly rules need at most. */
export function anomalyHistory(settings: AlertRuleSettings): number {
  return Math.max(21, 2 * settings.anomalySeasonLength + 2) + 1;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** Alerts of one window report; `history` holds the recent points (oldest first, this window's last) of ANOMALY_RULES' series. */
export function windowAlerts(report: WindowReport, history: Readonly<Record<string, readonly SeriesPoint[]>>, settings: AlertRuleSettings, at = Date.now()): AlertEvent[] {
  const alerts: AlertEvent[] = [];
  const raise = (rule: string, value: number, threshold: number, message: string) => alerts.push({
    model: report.model, version: report.version, rule, value, threshold, window: report.window, at, message,
  });
  const where = `${report.model} v${report.version} window ${report.window}`;
  const drift = report.drift;
  if (drift?.datasetDrift) {
    const names = Object.entries(drift.features).filter(([, d]) => d.drifted).map(([n]) => n);
    raise('dataset_drift', drift.share, drift.shareThreshold, `${where}: dataset drift, ${fmt(drift.share * 100)}% of features drifted (${names.join(', ')})`);
  }
  for (const [feature, d] of Object.entries(drift?.features ?? {})) {
    if (d.persistent) raise(`feature_drift:${feature}`, d.score, d.threshold, `${where}: "${feature}" drifted in ${drift!.persistence} consecutive windows (${d.method} ${fmt(d.score)} ${d.direction === 'below' ? '<' : '>'} ${d.threshold})`);
  }
  if (drift?.prediction?.persistent) {
    const d = drift.prediction;
    raise('prediction_drift', d.score, d.threshold, `${where}: predicted class distribution differs from the reference labels in ${drift.persistence} consecutive windows (${d.method} ${fmt(d.score)})`);
  }
  const p95 = report.latencyMs.p95;
  if (settings.latencyP95ThresholdMs > 0 && p95 !== null && thresholdRule(p95, { upper: settings.latencyP95ThresholdMs }).anomalous) {
    raise('latency_p95_above', p95, settings.latencyP95ThresholdMs, `${where}: end-to-end p95 ${fmt(p95)} ms above ${settings.latencyP95ThresholdMs} ms`);
  }
  const errorRate = report.predictions > 0 ? report.failed / report.predictions : 0;
  if (settings.maxErrorRate < 1 && errorRate > settings.maxErrorRate) {
    raise('error_rate_above', errorRate, settings.maxErrorRate, `${where}: ${report.failed} of ${report.predictions} predictions failed`);
  }
  const confidence = report.outputs.meanConfidence;
  if (settings.minMeanConfidence > 0 && confidence !== null && confidence < settings.minMeanConfidence) {
    raise('mean_confidence_below', confidence, settings.minMeanConfidence, `${where}: mean confidence ${fmt(confidence)} below ${settings.minMeanConfidence}`);
  }
  for (const rule of ANOMALY_RULES) {
    const points = history[rule.series] ?? [];
    const last = points.at(-1);
    if (!last || last.window !== report.window) continue;
    const series: MetricPoint[] = points.map((p) => ({ t: p.t, value: p.v }));
    const result: AnomalyResult = rule.kind === 'window'
      ? windowRule(series, { window: 20, center: 'median', k: settings.anomalyK })
      : holtWintersRule(series, { seasonLength: settings.anomalySeasonLength, k: settings.anomalyK });
    if (!result.anomalous) continue;
    const above = result.upper !== null && result.value > result.upper;
    if ((rule.side === 'above' && !above) || (rule.side === 'below' && above)) continue;
    raise(`anomaly:${rule.series}`, result.value, (above ? result.upper : result.lower) ?? Number.NaN, `${where}: ${rule.series} ${result.reason}`);
  }
  return alerts;
}

/** The alert when the rolling accuracy (last `labels` labels, `window` = labels received so far) is below the threshold, if any. */
export function accuracyAlert(model: string, version: string, window: number, accuracy: number, labels: number, settings: AlertRuleSettings, at = Date.now()): AlertEvent | undefined {
  if (settings.accuracyThreshold <= 0 || accuracy >= settings.accuracyThreshold) return undefined;
  return {
    model, version, rule: 'accuracy_below', value: accuracy, threshold: settings.accuracyThreshold, window, at,
    message: `${model} v${version}: accuracy ${fmt(accuracy * 100)}% over the last ${labels} labels (label ${window}), below ${fmt(settings.accuracyThreshold * 100)}%`,
  };
}
