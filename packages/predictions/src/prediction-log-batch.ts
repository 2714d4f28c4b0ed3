/**
 * Batch entries of the prediction log (`PredictionLogBatch`, one per worker batch) back into the
 * entries of their predictions, for exports: the same `PredictionLogEntry` a per-prediction entry
 * held, field for field and in the same key order.
 */
import type { BatchInputSummary, InputSummary, PredictionLogBatch, PredictionLogEntry, PredictionTimings } from '@inferq/contract';

/** The entries of a batch's predictions, in order. */
export function expandLogBatch(batch: PredictionLogBatch): PredictionLogEntry[] {
  const entries: PredictionLogEntry[] = [];
  const inputs = Object.entries(batch.inputs);
  const timings = Object.entries(batch.timings) as Array<[keyof PredictionTimings, unknown[] | undefined]>;
  // Where each input's rows of the current prediction start.
  const starts = inputs.map(() => 0);
  let outputRow = 0;
  for (let i = 0; i < batch.ids.length; i++) {
    const timing: PredictionTimings = {};
    for (const [name, values] of timings) {
      const value = values?.[i];
      if (value !== null && value !== undefined) (timing as Record<string, unknown>)[name] = value;
    }
    const entry: PredictionLogEntry = {
      id: batch.ids[i]!,
      model: batch.model,
      version: batch.version,
      status: batch.ok[i] === 1 ? 'completed' : 'failed',
      createdAt: batch.createdAt[i]!,
      finishedAt: batch.finishedAt,
      sampleRate: batch.sampleRate,
      rows: batch.rows[i] ?? 0,
      worker: batch.worker,
      device: batch.device,
      timings: timing,
      inputs: Object.fromEntries(inputs.map(([name, summary], k) => [name, inputOf(summary, i, starts[k]!)])),
    };
    const errorCode = batch.errorCode?.[i];
    if (errorCode) entry.errorCode = errorCode;
    const route = batch.route?.[i];
    if (route) entry.route = route;
    const shadowOf = batch.shadowOf?.[i];
    if (shadowOf) entry.shadowOf = shadowOf;
    const outputs = batch.outputs;
    const outputRows = outputs?.rows[i];
    if (outputs && outputRows !== null && outputRows !== undefined) {
      const end = outputRow + outputRows;
      const summary: NonNullable<PredictionLogEntry['outputs']> = { classes: outputs.classes.slice(outputRow, end) };
      if (outputs.confidence) summary.confidence = outputs.confidence.slice(outputRow, end);
      if (outputs.labels) summary.labels = outputs.labels.slice(outputRow, end);
      const nonFinite = outputs.nonFinite?.[i];
      if (nonFinite) summary.nonFinite = nonFinite;
      entry.outputs = summary;
      outputRow = end;
    }
    entries.push(entry);
    inputs.forEach(([, summary], k) => { starts[k]! += rowsOf(summary.shapes[i]); });
  }
  return entries;
}

/** Rows of a tensor of this shape: its first dimension, 1 for a scalar. */
export function rowsOf(shape: readonly number[] | undefined): number {
  if (!shape) return 0;
  return shape.length === 0 ? 1 : shape[0]!;
}

/** Prediction `i`'s summary of an input, whose rows start at `row`. */
function inputOf(summary: BatchInputSummary, i: number, row: number): InputSummary {
  const shape = summary.shapes[i] ?? [];
  const end = row + rowsOf(shape);
  switch (summary.kind) {
    case 'tabular': {
      const table: Array<Array<number | null>> = [];
      for (let r = row; r < end; r++) table.push(summary.columns.map((column) => column[r] ?? null));
      return { kind: 'tabular', featureNames: [...summary.featureNames], rows: table };
    }
    case 'image':
      return { kind: 'image', shape, brightness: summary.brightness.slice(row, end) };
    case 'tensor':
      return {
        kind: 'tensor', shape,
        mean: summary.mean.slice(row, end), std: summary.std.slice(row, end), min: summary.min.slice(row, end), max: summary.max.slice(row, end),
      };
    default:
      return { kind: 'other', shape, datatype: summary.datatype };
  }
}
