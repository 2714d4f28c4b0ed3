import type { PredictionFinalEvent, PredictionRecord } from '@inferq/contract';

/**
 * The strings a final write sends (see PredictionStore.finish), built so that each JSON value is
 * stringified once per batch: a record's result goes into its hash field and, as the same text,
 * into its announced event; a batch's worker identity (one object for all its records) once.
 */
export class FinalWriteBuilder {
  #worker: PredictionRecord['worker'];
  #workerJson = '';

  /** The hash fields of a final record, as a flat field/value list, and its result's JSON (undefined without a result). */
  fields(record: PredictionRecord): { fields: string[]; resultJson: string | undefined } {
    const fields = ['status', record.status, 'model', record.model, 'version', record.version, 'createdAt', String(record.createdAt), 'timings', JSON.stringify(record.timings)];
    const resultJson = record.result ? JSON.stringify(record.result) : undefined;
    if (resultJson !== undefined) fields.push('result', resultJson);
    if (record.error) fields.push('error', JSON.stringify(record.error));
    if (record.worker) fields.push('worker', this.#workerText(record.worker));
    if (record.route) fields.push('route', record.route);
    if (record.shadowOf) fields.push('shadowOf', record.shadowOf);
    return { fields, resultJson };
  }

  #workerText(worker: NonNullable<PredictionRecord['worker']>): string {
    if (worker !== this.#worker) {
      this.#worker = worker;
      this.#workerJson = JSON.stringify(worker);
    }
    return this.#workerJson;
  }
}

/** The announced JSON of a final event, with `resultJson` (the text `fields` made) spliced in as its `result`. */
export function eventJson(event: PredictionFinalEvent, resultJson: string | undefined): string {
  if (resultJson === undefined) return JSON.stringify(event);
  const { result: _result, ...rest } = event;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"result":${resultJson}}`;
}
