/**
 * Runs one batch in a worker (the processor of a `batches` job). Rows are read from the stored
 * input in order and fed to the model version's micro-batcher as single-row items, so they share
 * batches with online predictions; a window bounds how many are in the batcher at once.
 *
 * Exactly once: rows are grouped in chunks of `chunkSize`; a chunk's result lines are written
 * whole (a re-run overwrites them) and then counted by one Lua call that adds nothing the second
 * time. A run that stops (worker killed, shutdown, Redis error) is run again by BullMQ and skips
 * the chunks already counted, so no row is lost or counted twice.
 */
import { InferqError } from '@inferq/contract';
import { FINAL_BATCH_STATUSES, inputRows, resultLine, type BatchFiles, type BatchPriority, type BatchRecord, type BatchService, type InputRow } from '@inferq/batch-jobs';
import type { ModelRepository } from '@inferq/model-repository';
import type { Logger } from '@inferq/logger';
import { valuesToJson } from '@inferq/tensor';
import { jsonOutput, ModelVersionServer } from '../model-version-server.js';
import type { ServerLookup } from '../prediction-processor.js';
import { RowWindow } from './row-window.js';
import { postWebhook } from './webhook.js';

/** Batches of rows a batch job keeps in the micro-batcher, by priority: `low` leaves most room to online traffic. */
const WINDOW_BATCHES: Readonly<Record<BatchPriority, number>> = { low: 2, normal: 4, high: 8 };
/** How long after the last online prediction a `low` batch still counts online traffic as flowing. */
const ONLINE_QUIET_MS = 200;
/** Pause of a `low` batch after each quarter batch of rows while online predictions flow. */
const ONLINE_YIELD_MS = 10;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Finished chunks waiting for their write at once (bounds memory: each holds its result lines). */
const MAX_PENDING_CHUNKS = 4;

export interface BatchRunnerDeps {
  service: BatchService;
  files: BatchFiles;
  repository: ModelRepository;
  lookup: ServerLookup;
  logger: Logger;
}

interface RowResult {
  line: string;
  failed: boolean;
}

interface OpenChunk {
  index: number;
  results: Array<Promise<RowResult>>;
}

/** Thrown when the worker stops mid-batch: BullMQ runs the job again (elsewhere) and it resumes. */
export class BatchInterrupted extends Error {
  constructor() {
    super('the worker is stopping; the batch resumes on the next run of its job');
    this.name = 'BatchInterrupted';
  }
}

export class BatchRunner {
  readonly #deps: BatchRunnerDeps;
  #stopping = false;

  constructor(deps: BatchRunnerDeps) {
    this.#deps = deps;
  }

  /** Makes running batches stop at their next chunk (shutdown). */
  stop(): void {
    this.#stopping = true;
  }

  async run(id: string): Promise<void> {
    const { service, lookup, logger } = this.#deps;
    const store = service.store;
    const record = await store.get(id).catch((error: unknown) => {
      if (error instanceof InferqError && error.code === 'BATCH_NOT_FOUND') return undefined;
      throw error;
    });
    if (!record || FINAL_BATCH_STATUSES.includes(record.status)) return;
    if ((await store.start(id)) !== 'running') return; // cancelled before it started
    let server: ModelVersionServer;
    try {
      const found = await lookup(record.model, record.version);
      // The API refuses batches over pipelines; one queued before a version became a pipeline ends here.
      if (!(found instanceof ModelVersionServer)) throw new InferqError('INVALID_BATCH_INPUT', `"${record.model}" version ${record.version} is a pipeline: batch jobs run over models only`);
      server = found;
    } catch (error) {
      if (!(error instanceof InferqError)) throw error; // the session failed to load: transient
      await this.#end(record, 'failed', { code: error.code, message: error.message });
      return;
    }
    const finished = await this.#runRows(record, server);
    if (!finished) return;
    const now = await store.get(id);
    await this.#end(now, now.failed > 0 ? 'completed_with_errors' : 'completed');
    logger.info({ batchId: id, total: now.total, failed: now.failed }, 'batch finished');
  }

  /** Runs every chunk not yet counted; false when the batch was cancelled meanwhile. */
  async #runRows(record: BatchRecord, server: ModelVersionServer): Promise<boolean> {
    const { files, service } = this.#deps;
    const { id, chunkSize, inputFormat } = record;
    const done = await service.store.doneChunks(id);
    const maxBatch = Math.max(1, server.model.maxBatchSize);
    const full = WINDOW_BATCHES[record.priority] * maxBatch;
    // Online traffic first: while online predictions arrive, a `low` batch keeps a quarter batch of
    // rows in flight, so a prediction finds the batcher nearly empty and the CPU mostly free.
    const yielding = Math.max(1, Math.floor(maxBatch / 4));
    const onlineFlowing = () => record.priority === 'low' && performance.now() - server.lastOnlineAt < ONLINE_QUIET_MS;
    const window = new RowWindow(() => (onlineFlowing() ? yielding : full));
    let admitted = 0;
    const pending: Array<Promise<void>> = [];
    let failure: unknown;
    let chunk: OpenChunk | undefined;
    const close = () => {
      if (!chunk || done.has(chunk.index)) return;
      const writing = this.#writeChunk(id, chunk).catch((error: unknown) => {
        failure ??= error;
      });
      pending.push(writing);
    };
    const input = files.openInput(id, inputFormat);
    try {
      for await (const row of inputRows(input, inputFormat, server.model)) {
        const index = Math.floor(row.index / chunkSize);
        if (!chunk || chunk.index !== index) {
          close();
          while (pending.length >= MAX_PENDING_CHUNKS) await pending.shift();
          if (failure !== undefined) throw failure;
          if (this.#stopping) throw new BatchInterrupted();
          if ((await service.store.status(id)) !== 'running') return false; // cancelled: results so far stay
          chunk = { index, results: [] };
        }
        if (done.has(index)) continue;
        // And the CPU: every quarter batch, a pause while online predictions flow (this process
        // parses and serialises the batch's rows on the same thread that serves them).
        if (++admitted % yielding === 0 && onlineFlowing()) await sleep(ONLINE_YIELD_MS);
        const result = this.#runRow(row, server, window);
        // Handled here too: a chunk left unwritten (cancel, stop) must not leave a rejection unhandled.
        result.catch(() => {});
        chunk.results.push(result);
      }
      close();
      await Promise.all(pending);
      if (failure !== undefined) throw failure;
      return true;
    } finally {
      input.destroy();
      await Promise.all(pending);
    }
  }

  async #runRow(row: InputRow, server: ModelVersionServer, window: RowWindow): Promise<RowResult> {
    if ('error' in row) return { line: resultLine(row.index, { error: row.error }), failed: true };
    const waiting = window.acquire();
    if (waiting) await waiting;
    try {
      const batching = server.model.maxBatchSize > 0;
      const outcome = await server.submit({
        id: `row-${row.index}`,
        job: { id: `row-${row.index}`, model: server.model.name, version: server.model.version, inputs: [], createdAt: Date.now(), origin: 'batch' },
        inputs: row.inputs,
        rows: batching ? (row.inputs[0]?.shape[0] ?? 1) : 1,
        owner: 'batch',
      });
      if (!outcome.ok) {
        return { line: resultLine(row.index, { error: { code: 'INFERENCE_FAILED', message: `line ${row.line}: the model failed on this row: ${outcome.error.message.slice(0, 300)}` } }), failed: true };
      }
      const outputs = outcome.outputs.map((o) => jsonOutput(o.name, o.datatype, o.shape, valuesToJson(o.data, o.datatype)));
      return { line: resultLine(row.index, { outputs }), failed: false };
    } finally {
      window.release();
    }
  }

  async #writeChunk(id: string, chunk: OpenChunk): Promise<void> {
    const results = await Promise.all(chunk.results);
    const failed = results.filter((r) => r.failed).length;
    await this.#deps.files.writeChunk(id, chunk.index, results.map((r) => `${r.line}\n`).join(''));
    await this.#deps.service.store.chunkDone(id, chunk.index, results.length - failed, failed);
  }

  /** Records the final status, writes the results to `resultUri`, calls the webhook. */
  async #end(record: BatchRecord, status: 'completed' | 'completed_with_errors' | 'failed', error?: { code: string; message: string }): Promise<void> {
    const { service, files, repository, logger } = this.#deps;
    let model;
    try {
      model = repository.resolve(record.model, record.version);
    } catch {
      model = undefined;
    }
    if (status !== 'failed' && record.resultUri !== undefined) {
      try {
        await service.writeResults(record, model);
      } catch (writeError) {
        status = 'failed';
        error = { code: 'INVALID_BATCH_URI', message: `the results could not be written to ${record.resultUri}: ${(writeError as Error).message.slice(0, 300)}` };
      }
    }
    if (!(await service.store.finish(record.id, status, error))) return; // cancelled meanwhile
    await files.removeInput(record.id, record.inputFormat).catch((e: Error) => logger.warn({ err: e, batchId: record.id }, 'could not delete the batch input'));
    if (record.webhook !== undefined) await postWebhook(record.webhook, await service.store.get(record.id), logger);
  }
}
