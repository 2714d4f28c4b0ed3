import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelVersion } from '@inferq/model-repository';
import { buildReferenceFeature, buildReferenceProfile, parseReferenceCsv, type ReferenceCsvLimits, type ReferenceFeature, type ReferenceProfile } from '@inferq/monitoring';
import type { MonitoringStore } from '@inferq/predictions';
import type { Logger } from '@inferq/logger';

/** Columns of a reference sample that hold the class (compared with predictions, not inputs). */
export const TARGET_COLUMNS: ReadonlySet<string> = new Set(['label', 'target', 'class']);

/** A version's reference, ready for drift detection. */
export interface LoadedReference {
  /** Input features (every column but the target). */
  profile: ReferenceProfile;
  /** The class column, when the sample has one (for the prediction-drift check). */
  target?: ReferenceFeature;
  source: 'file' | 'upload';
  rows: number;
}

/** Builds a reference from CSV text (the API's reader and limits: see parseReferenceCsv). */
export function referenceFromCsv(text: string, source: LoadedReference['source'], limits?: ReferenceCsvLimits): LoadedReference {
  const table = parseReferenceCsv(text, limits);
  const features = table.columns.filter((c) => !TARGET_COLUMNS.has(c));
  const targetColumn = table.columns.find((c) => TARGET_COLUMNS.has(c));
  const loaded: LoadedReference = { profile: buildReferenceProfile(table.rows, features), source, rows: table.rows.length };
  if (targetColumn !== undefined) loaded.target = buildReferenceFeature(targetColumn, table.rows.map((r) => r[targetColumn]), 'categorical');
  return loaded;
}

/**
 * The reference of each model version: the sample uploaded through the API (Redis) when there
 * is one, else `reference.csv` beside the model file. Uploads are noticed at the next window
 * (one HGET per window); files are read once.
 */
export class ReferenceProfiles {
  readonly #store: MonitoringStore;
  readonly #logger: Logger;
  readonly #files = new Map<string, LoadedReference | null>();
  readonly #uploads = new Map<string, { uploadedAt: number; reference: LoadedReference | null }>();
  readonly #limits: ReferenceCsvLimits;

  constructor(store: MonitoringStore, logger: Logger, limits: ReferenceCsvLimits = {}) {
    this.#store = store;
    this.#logger = logger;
    this.#limits = limits;
  }

  /**
   * The reference of a version; undefined when it has none (or it cannot be parsed).
   * @param uploaded - when the caller already read the upload time (MonitoringStore.readWindowContext), that
   *   reading; else it is read here.
   */
  async get(model: ModelVersion, uploaded?: { uploadedAt: number | undefined }): Promise<LoadedReference | undefined> {
    const key = `${model.name}\u0000${model.version}`;
    const uploadedAt = uploaded ? uploaded.uploadedAt : await this.#store.referenceUploadedAt(model.name, model.version);
    if (uploadedAt !== undefined) {
      const cached = this.#uploads.get(key);
      if (cached?.uploadedAt === uploadedAt) return cached.reference ?? undefined;
      const stored = await this.#store.getReference(model.name, model.version);
      const reference = stored ? this.#parse(stored.csv, 'upload', `${key} upload`) : null;
      this.#uploads.set(key, { uploadedAt, reference });
      return reference ?? undefined;
    }
    if (!this.#files.has(key)) {
      const path = join(dirname(model.modelPath), 'reference.csv');
      let text: string | undefined;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#logger.warn({ path, err: error }, 'reference not readable');
      }
      this.#files.set(key, text === undefined ? null : this.#parse(text, 'file', path));
    }
    return this.#files.get(key) ?? undefined;
  }

  #parse(text: string, source: LoadedReference['source'], where: string): LoadedReference | null {
    try {
      return referenceFromCsv(text, source, this.#limits);
    } catch (error) {
      this.#logger.warn({ reference: where, err: error }, 'reference not usable; drift is not measured');
      return null;
    }
  }
}
