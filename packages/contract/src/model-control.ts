/**
 * Model control at run time: versions registered, loaded and unloaded while serving.
 *
 * Redis (see redis-keys.ts):
 * - `{prefix}:model-registry` hash, field `{model}/{version}` → JSON `VersionRecord`: the desired
 *   state of every version registered at run time, and of every repository version that was
 *   unloaded (or loaded again). The API writes it; workers read it at start-up and on each event.
 * - `{prefix}:model-state:{model}:{version}` hash, field worker id → JSON `WorkerVersionReport`:
 *   what each worker holds. A report of a worker whose heartbeat is gone counts for nothing.
 * - `{prefix}:events:model-control` channel → JSON `ModelControlEvent`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ModelConfig } from './model-config.js';
import { TensorMetadata } from './inference-protocol.js';
import { compileValidator, StringEnum } from './schema-validator.js';

/**
 * State of a version across the workers:
 * - `LOADING`: wanted, no worker holds it yet (at least one is loading it, or will);
 * - `READY`: at least one worker holds it: it takes traffic;
 * - `UNLOADING`: unloaded, but a worker still holds it while its queued predictions finish;
 * - `UNAVAILABLE`: unloaded and released everywhere, or wanted but no live worker serves the model;
 * - `FAILED`: wanted, but every worker that tried failed to load it (`reason` says why).
 */
export const VERSION_STATES = ['LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE', 'FAILED'] as const;
export type VersionState = (typeof VERSION_STATES)[number];

/** What one worker says of one version: loading, holding, draining before release, or failed. */
export const WORKER_VERSION_STATES = ['LOADING', 'READY', 'UNLOADING', 'FAILED'] as const;
export type WorkerVersionState = (typeof WORKER_VERSION_STATES)[number];

/** Desired state of a version, set by `POST .../load` and `.../unload`. */
export type DesiredVersionState = 'loaded' | 'unloaded';

/** One worker's report, the value of a field of `{prefix}:model-state:{model}:{version}`. */
export interface WorkerVersionReport {
  state: WorkerVersionState;
  /** Why it failed (FAILED only). */
  reason?: string;
  /** Epoch ms of the report. */
  at: number;
}

/** A registered version's model file and serving settings, as stored in the registry. */
export const RegisteredModel = Type.Object({
  /** SHA-256 of the ONNX file in the model store. */
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  size: Type.Integer({ minimum: 0 }),
  /** The config given at registration (already checked against the signature). */
  config: ModelConfig,
  /** The signature read from the file when it was registered. */
  inputs: Type.Array(TensorMetadata),
  outputs: Type.Array(TensorMetadata),
  /** Where the bytes came from: `upload` or the URI (without query string). */
  source: Type.String(),
});
export type RegisteredModel = Static<typeof RegisteredModel>;

/** One entry of `{prefix}:model-registry`. */
export const VersionRecord = Type.Object({
  model: Type.String(),
  version: Type.String(),
  desired: StringEnum(['loaded', 'unloaded']),
  /** Epoch ms of the last change of `desired`. */
  changedAt: Type.Number(),
  /** Absent: a version of the model repository directory (its file is on every worker's disk). */
  registered: Type.Optional(RegisteredModel),
});
export type VersionRecord = Static<typeof VersionRecord>;

/** A change announced on `{prefix}:events:model-control`. */
export interface ModelControlEvent {
  /** `desired`: the registry entry changed (registered, loaded, unloaded); `state`: a worker's report changed. */
  kind: 'desired' | 'state';
  model: string;
  version: string;
}

/** The registry field of a version. */
export function registryField(model: string, version: string): string {
  return `${model}/${version}`;
}

/** Inputs of the state of a version: what is wanted and what the live workers say. */
export interface VersionStateInputs {
  desired: DesiredVersionState;
  /** Reports of live workers only (those with a heartbeat). */
  reports: ReadonlyMap<string, WorkerVersionReport>;
  /** Live workers that serve the model (would load the version). */
  servingWorkers: number;
}

/** The state of a version from its inputs (see VERSION_STATES); `reason` for FAILED. */
export function versionStateOf({ desired, reports, servingWorkers }: VersionStateInputs): { state: VersionState; reason?: string } {
  const states = [...reports.values()].map((r) => r.state);
  if (desired === 'unloaded') return { state: states.some((s) => s === 'READY' || s === 'UNLOADING') ? 'UNLOADING' : 'UNAVAILABLE' };
  if (states.includes('READY')) return { state: 'READY' };
  if (states.includes('LOADING')) return { state: 'LOADING' };
  const failed = [...reports.values()].filter((r) => r.state === 'FAILED');
  // Every worker that reported failed, and no other live worker is still to report.
  if (failed.length > 0 && failed.length >= servingWorkers) return { state: 'FAILED', reason: failed[0]!.reason ?? 'the model could not be loaded' };
  return { state: servingWorkers > 0 ? 'LOADING' : 'UNAVAILABLE' };
}

/** The compiled check of a registry entry read back from Redis. */
export const versionRecordValidator = compileValidator(VersionRecord);

/**
 * Parses one registry entry (the JSON under `{model}/{version}`); undefined when it is not a
 * valid `VersionRecord` or, given `field`, is filed under another field than its own.
 */
export function parseVersionRecord(text: string | null | undefined, field?: string): VersionRecord | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const record: unknown = JSON.parse(text);
    if (versionRecordValidator.check(record) && (field === undefined || registryField(record.model, record.version) === field)) return record;
  } catch { /* not JSON: malformed like any other */ }
  return undefined;
}

/**
 * Parses the whole registry hash (HGETALL of `{prefix}:model-registry`) into field → record.
 * Malformed entries are skipped (not ours to repair) and passed to `onMalformed` when given.
 * The one parser of the registry: the API, the workers and the monitor all read it through this.
 */
export function parseRegistry(entries: Record<string, string>, onMalformed?: (field: string, text: string) => void): Map<string, VersionRecord> {
  const records = new Map<string, VersionRecord>();
  for (const [field, text] of Object.entries(entries)) {
    const record = parseVersionRecord(text, field);
    if (record) records.set(field, record);
    else onMalformed?.(field, text);
  }
  return records;
}
