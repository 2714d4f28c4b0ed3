import type { VersionRecord } from '@inferq/contract';
import { buildModelVersion, type ModelVersion } from './model-version.js';

/**
 * The ModelVersion of a version registered at run time, from its registry entry. Its file lives
 * in the model store under its SHA-256; `modelPath` says where this process keeps (or will keep)
 * its local copy. Throws when the entry has no registered model (a repository version).
 */
export function registeredModelVersion(record: VersionRecord, modelPath: string): ModelVersion {
  const registered = record.registered;
  if (!registered) throw new Error(`${record.model}/${record.version} is a repository version, not a registered one`);
  const version = buildModelVersion({
    name: record.model, version: record.version, modelPath,
    signature: { inputs: registered.inputs, outputs: registered.outputs },
    config: registered.config, configSource: `config of ${record.model}/${record.version}`,
  });
  version.sha256 = registered.sha256;
  return version;
}
