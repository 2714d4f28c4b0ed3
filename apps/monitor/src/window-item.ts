/**
 * What a monitoring window holds per logged prediction: a compact item derived from its
 * prediction log entry (feature values per row, outputs per row, timings). Items travel through
 * the Redis window list as JSON, so their keys are short. A batch entry gives the same items as
 * the single entries of its predictions would, without expanding it into them.
 */
import type { BatchInputSummary, InputSummary, PredictionLogBatch, PredictionLogEntry } from '@inferq/contract';
import { rowsOf } from '@inferq/predictions';

/** One prediction in a window. */
export interface WindowItem {
  /** Finished at (epoch ms). */
  t: number;
  /** Rows. */
  r: number;
  /** Sample rate it was logged with. */
  s: number;
  /** 1 = completed, 0 = failed. */
  ok: 0 | 1;
  /** End-to-end, queue wait (ms) and batch size; null when unknown. */
  lat: number | null;
  qw: number | null;
  bs: number | null;
  /** Feature name → value per row. */
  f: Record<string, Array<number | null>>;
  /** Predicted class and confidence per row, when the model is a classifier. */
  cls?: Array<number | null>;
  conf?: Array<number | null>;
}

/**
 * Monitored features of an entry's inputs: a feature table's own feature names; `<input>.brightness`
 * for images; `<input>.mean|std|min|max` for other tensors.
 */
export function featureValuesOf(inputs: Readonly<Record<string, InputSummary>>): Record<string, Array<number | null>> {
  const features: Record<string, Array<number | null>> = {};
  for (const [name, summary] of Object.entries(inputs)) {
    switch (summary.kind) {
      case 'tabular':
        summary.featureNames.forEach((feature, j) => { features[feature] = summary.rows.map((row) => row[j] ?? null); });
        break;
      case 'image':
        features[`${name}.brightness`] = summary.brightness;
        break;
      case 'tensor':
        features[`${name}.mean`] = summary.mean;
        features[`${name}.std`] = summary.std;
        features[`${name}.min`] = summary.min;
        features[`${name}.max`] = summary.max;
        break;
      default:
        break;
    }
  }
  return features;
}

/** The window item of a prediction log entry. */
export function windowItemOf(entry: PredictionLogEntry): WindowItem {
  const item: WindowItem = {
    t: entry.finishedAt,
    r: entry.rows,
    s: entry.sampleRate > 0 ? entry.sampleRate : 1,
    ok: entry.status === 'completed' ? 1 : 0,
    lat: entry.timings.totalMs ?? null,
    qw: entry.timings.queueWaitMs ?? null,
    bs: entry.timings.batchSize ?? null,
    f: featureValuesOf(entry.inputs),
  };
  if (entry.outputs) {
    item.cls = entry.outputs.classes;
    if (entry.outputs.confidence) item.conf = entry.outputs.confidence;
  }
  return item;
}

/** The window items of a batch entry's predictions, in order (as `windowItemOf` of each one's entry). */
export function windowItemsOfBatch(batch: PredictionLogBatch): WindowItem[] {
  const items: WindowItem[] = [];
  const inputs = Object.entries(batch.inputs);
  const starts = inputs.map(() => 0);
  const { totalMs, queueWaitMs, batchSize } = batch.timings;
  const outputs = batch.outputs;
  let outputRow = 0;
  for (let i = 0; i < batch.ids.length; i++) {
    const f: Record<string, Array<number | null>> = {};
    inputs.forEach(([name, summary], k) => {
      const rows = rowsOf(summary.shapes[i]);
      addFeatureValues(f, name, summary, starts[k]!, starts[k]! + rows);
      starts[k] = starts[k]! + rows;
    });
    const item: WindowItem = {
      t: batch.finishedAt,
      r: batch.rows[i] ?? 0,
      s: batch.sampleRate > 0 ? batch.sampleRate : 1,
      ok: batch.ok[i] === 1 ? 1 : 0,
      lat: totalMs?.[i] ?? null,
      qw: queueWaitMs?.[i] ?? null,
      bs: batchSize?.[i] ?? null,
      f,
    };
    const outputRows = outputs?.rows[i];
    if (outputs && outputRows !== null && outputRows !== undefined) {
      const end = outputRow + outputRows;
      item.cls = outputs.classes.slice(outputRow, end);
      if (outputs.confidence) item.conf = outputs.confidence.slice(outputRow, end);
      outputRow = end;
    }
    items.push(item);
  }
  return items;
}

/** The monitored features of rows `start`..`end` of a batch input (named as `featureValuesOf` names them). */
function addFeatureValues(features: Record<string, Array<number | null>>, name: string, summary: BatchInputSummary, start: number, end: number): void {
  switch (summary.kind) {
    case 'tabular':
      summary.featureNames.forEach((feature, j) => { features[feature] = summary.columns[j]?.slice(start, end) ?? []; });
      break;
    case 'image':
      features[`${name}.brightness`] = summary.brightness.slice(start, end);
      break;
    case 'tensor':
      features[`${name}.mean`] = summary.mean.slice(start, end);
      features[`${name}.std`] = summary.std.slice(start, end);
      features[`${name}.min`] = summary.min.slice(start, end);
      features[`${name}.max`] = summary.max.slice(start, end);
      break;
    default:
      break;
  }
}
