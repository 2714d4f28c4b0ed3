/**
 * The metric series a window report feeds, one point per window (names in docs/monitoring.md):
 * software (`rows`, `throughput`, `latency_p50|p95|p99`, `queue_wait_p95`, `batch_size_mean`,
 * `error_rate`), outputs (`mean_confidence`, `null_outputs`, `class_share:<class>`), inputs
 * (`feature_mean:<f>`, `feature_std:<f>`, `feature_missing:<f>`) and drift (`drift_share`,
 * `drift:<f>`, `drift:prediction`). Feedback windows feed `accuracy`. Pure.
 */
import type { SeriesPoint, WindowReport } from '@inferq/contract';
import type { SeriesAppend } from '@inferq/predictions';

/** Points of one window report. */
export function seriesOfReport(report: WindowReport): SeriesAppend[] {
  const t = report.endedAt || Date.now();
  const out: SeriesAppend[] = [];
  const add = (name: string, value: number | null | undefined) => {
    if (value !== null && value !== undefined && Number.isFinite(value)) out.push({ name, point: { t, v: value, window: report.window } satisfies SeriesPoint });
  };
  add('rows', report.rows);
  add('throughput', report.throughput);
  add('latency_p50', report.latencyMs.p50);
  add('latency_p95', report.latencyMs.p95);
  add('latency_p99', report.latencyMs.p99);
  add('queue_wait_p95', report.queueWaitMsP95);
  add('batch_size_mean', report.batchSizeMean);
  add('error_rate', report.predictions > 0 ? report.failed / report.predictions : null);
  add('mean_confidence', report.outputs.meanConfidence);
  add('null_outputs', report.outputs.nullOutputs);
  const classTotal = Object.values(report.outputs.classCounts).reduce((a, b) => a + b, 0);
  for (const [cls, count] of Object.entries(report.outputs.classCounts)) add(`class_share:${cls}`, classTotal > 0 ? count / classTotal : null);
  for (const [feature, stats] of Object.entries(report.features)) {
    add(`feature_mean:${feature}`, stats.mean);
    add(`feature_std:${feature}`, stats.std);
    add(`feature_missing:${feature}`, stats.missing);
  }
  if (report.drift) {
    add('drift_share', report.drift.share);
    for (const [feature, d] of Object.entries(report.drift.features)) add(`drift:${feature}`, d.score);
    if (report.drift.prediction) add('drift:prediction', report.drift.prediction.score);
  }
  return out;
}
