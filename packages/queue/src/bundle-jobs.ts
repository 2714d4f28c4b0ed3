/**
 * What a coalesced bundle job looks like inside BullMQ (internal to this package: producers and
 * consumers outside it see predictions, see prediction-producer.ts and prediction-worker.ts).
 */
import { PREDICTION_BUNDLE_JOB_NAME, type PredictionBundleData, type PredictionJobData } from '@inferq/contract';

/** The BullMQ job id of a bundle (its first prediction's id, prefixed). */
export function bundleJobId(bundle: readonly Pick<PredictionJobData, 'id'>[]): string {
  return `bundle-${bundle[0]!.id}`;
}

/** The predictions a job carries: itself, or a bundle's members (none when the data is malformed). */
export function predictionsOf(name: string, data: unknown): PredictionJobData[] {
  if (name === PREDICTION_BUNDLE_JOB_NAME) return Array.isArray((data as PredictionBundleData | undefined)?.bundle) ? (data as PredictionBundleData).bundle : [];
  return data ? [data as PredictionJobData] : [];
}
