/**
 * Where batch inputs and results live: a directory (BATCH_DATA_DIR) that the API and the workers
 * share (one host, or a shared volume in docker compose / Kubernetes; see docs/batches.md).
 *
 * | path                                  | written by | content                                   |
 * |---------------------------------------|------------|-------------------------------------------|
 * | `{dir}/{id}/input.{csv,jsonl}`        | API        | the input as uploaded or copied from its URI |
 * | `{dir}/{id}/results/{chunk}.jsonl`    | worker     | result lines of one chunk, written whole (temp file + rename), so a re-run after a crash overwrites it |
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BatchFormat } from './batch-types.js';

/** Chunk indexes are zero-padded so a directory listing sorts in input order. */
const chunkFile = (chunk: number) => `${String(chunk).padStart(9, '0')}.jsonl`;

export class BatchFiles {
  constructor(readonly dir: string) {}

  inputPath(id: string, format: BatchFormat): string {
    return join(this.dir, id, `input.${format}`);
  }

  /** Streams `source` into the batch's input file (bounded memory: the pipeline's buffers). */
  async writeInput(id: string, format: BatchFormat, source: Readable): Promise<number> {
    await mkdir(join(this.dir, id, 'results'), { recursive: true });
    const path = this.inputPath(id, format);
    await pipeline(source, createWriteStream(path));
    return (await stat(path)).size;
  }

  openInput(id: string, format: BatchFormat): Readable {
    return createReadStream(this.inputPath(id, format), { highWaterMark: 1 << 16 });
  }

  /** Writes one chunk's result lines whole: temp file then rename (atomic on one file system). */
  async writeChunk(id: string, chunk: number, text: string): Promise<void> {
    const dir = join(this.dir, id, 'results');
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${chunkFile(chunk)}.${process.pid}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, join(dir, chunkFile(chunk)));
  }

  openChunk(id: string, chunk: number): Readable {
    return createReadStream(join(this.dir, id, 'results', chunkFile(chunk)), { highWaterMark: 1 << 16 });
  }

  /** Chunk indexes with a result file, in order. */
  async chunks(id: string): Promise<number[]> {
    const names = await readdir(join(this.dir, id, 'results')).catch(() => [] as string[]);
    return names.filter((n) => /^\d{9}\.jsonl$/.test(n)).map((n) => Number(n.slice(0, 9))).sort((a, b) => a - b);
  }

  /** Deletes the input (kept results stay). */
  async removeInput(id: string, format: BatchFormat): Promise<void> {
    await rm(this.inputPath(id, format), { force: true });
  }

  async remove(id: string): Promise<void> {
    await rm(join(this.dir, id), { recursive: true, force: true });
  }
}
