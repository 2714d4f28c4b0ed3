/**
 * Creating, reading, cancelling batches and reading their results: what the API's routes and the
 * schedule consumer share. A batch is created in three steps, so a malformed file is refused
 * before any row runs: stream the input into BATCH_DATA_DIR, read it through once (structure of
 * every line, row count), then record the batch and queue its one run job.
 */
import { Readable } from 'node:stream';
import { InferqError, PRIORITY_CLASSES } from '@inferq/contract';
import type { ModelVersion } from '@inferq/model-repository';
import type { BatchFiles } from './batch-files.js';
import type { BatchQueues } from './batch-queues.js';
import type { BatchStore } from './batch-store.js';
import { BATCH_JOB_NAME, newBatchId, type BatchFormat, type BatchOptions, type BatchRecord } from './batch-types.js';
import { checkBatchUri, openBatchUri, writeBatchUri, type BatchUriSettings } from './batch-uri.js';
import { countInputRows } from './input-rows.js';
import { ResultCsvTransform } from './result-lines.js';

/** Where the rows come from. */
export type BatchSource = { stream: Readable } | { uri: string };

export interface BatchServiceOptions {
  store: BatchStore;
  files: BatchFiles;
  queues: BatchQueues;
  uris: BatchUriSettings;
}

/** Run attempts of a batch job: it throws only when its worker stops or Redis fails, and resumes where it was. */
const RUN_ATTEMPTS = 20;

export class BatchService {
  readonly #options: BatchServiceOptions;

  constructor(options: BatchServiceOptions) {
    this.#options = options;
  }

  get store(): BatchStore {
    return this.#options.store;
  }

  /** Validates and stores the input, then records and queues the batch. Throws INVALID_BATCH_INPUT / INVALID_BATCH_URI. */
  async create(model: ModelVersion, source: BatchSource, inputFormat: BatchFormat, options: BatchOptions, extra: { owner?: string; schedule?: string } = {}): Promise<BatchRecord> {
    const { store, files, queues, uris } = this.#options;
    if (options.resultUri !== undefined) checkBatchUri(options.resultUri, uris, 'output');
    const id = newBatchId();
    let total: number;
    try {
      const stream = 'stream' in source ? source.stream : await openBatchUri(source.uri, uris);
      await files.writeInput(id, inputFormat, stream);
      total = await countInputRows(files.openInput(id, inputFormat), inputFormat, model);
    } catch (error) {
      await files.remove(id);
      throw error;
    }
    const createdAt = Date.now();
    await store.create({
      id, model: model.name, version: model.version, inputFormat, total, createdAt,
      format: options.format, chunkSize: options.chunkSize, priority: options.priority,
      ...(options.webhook !== undefined ? { webhook: options.webhook } : {}),
      ...(options.resultUri !== undefined ? { resultUri: options.resultUri } : {}),
      ...(extra.owner !== undefined ? { owner: extra.owner } : {}),
      ...(extra.schedule !== undefined ? { schedule: extra.schedule } : {}),
    });
    await queues.runs(model.name).add(BATCH_JOB_NAME, { id }, {
      jobId: id,
      priority: PRIORITY_CLASSES[options.priority],
      attempts: RUN_ATTEMPTS,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
    return store.get(id);
  }

  /** Cancels a queued or running batch: its run job stops at the next chunk; results so far stay. */
  async cancel(id: string, viewer?: string): Promise<BatchRecord> {
    const { model } = await this.#options.store.get(id, viewer);
    const found = await this.#options.store.cancel(id, viewer);
    if (found !== 'queued' && found !== 'running') throw new InferqError('BATCH_FINISHED', `batch "${id}" has already ended (${found})`);
    // A job not yet taken is dropped; a running one sees the status and stops at its next chunk.
    await this.#options.queues.runs(model).remove(id).catch(() => 0);
    return this.#options.store.get(id, viewer);
  }

  /** The results so far, in input order, as JSON Lines or CSV. */
  async results(record: BatchRecord, model: ModelVersion | undefined, format: BatchFormat): Promise<Readable> {
    const { files } = this.#options;
    const chunks = await files.chunks(record.id);
    async function* chunkBytes(): AsyncGenerator<Buffer> {
      for (const chunk of chunks) yield* files.openChunk(record.id, chunk) as AsyncIterable<Buffer>;
    }
    // Chunk after chunk, never more than one read buffer in memory.
    const lines = Readable.from(chunkBytes(), { objectMode: false });
    if (format === 'jsonl') return lines;
    return lines.pipe(new ResultCsvTransform(model?.outputs ?? []));
  }

  /** Writes the results to the batch's `resultUri`. */
  async writeResults(record: BatchRecord, model: ModelVersion | undefined): Promise<void> {
    if (record.resultUri === undefined) return;
    await writeBatchUri(record.resultUri, this.#options.uris, await this.results(record, model, record.format));
  }
}
