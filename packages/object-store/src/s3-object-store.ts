import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { checkSha256 } from './hash-check.js';
import { ObjectStoreError } from './object-store-error.js';
import type { ObjectStore, PutOptions, StoredObject } from './object-store.js';
import { isS3NotFound } from './s3-client.js';
import type { S3Location } from './s3-location.js';
import { spool } from './spool.js';
import { verifyFile } from './verify-file.js';

/**
 * Objects as `s3://<bucket>/<prefix>sha256/<hash>`. A put spools to a local temporary file
 * first: the key is the hash, known only at the end, and a single PutObject of a file with a
 * known length needs no multipart bookkeeping (models are up to MAX_MODEL_BYTES, within S3's
 * 5 GiB single-put limit).
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #spoolDir: string;

  /** @param spoolDir - where puts are written before the upload @defaultValue os.tmpdir() */
  constructor(client: S3Client, at: S3Location, spoolDir: string = tmpdir()) {
    this.#client = client;
    this.#bucket = at.bucket;
    this.#prefix = at.key === '' || at.key.endsWith('/') ? at.key : `${at.key}/`;
    this.#spoolDir = spoolDir;
    this.location = `s3://${at.bucket}/${this.#prefix}`;
  }

  #key(sha256: string): string {
    checkSha256(sha256);
    return `${this.#prefix}sha256/${sha256}`;
  }

  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredObject> {
    await mkdir(this.#spoolDir, { recursive: true });
    const spooled = await spool(source, this.#spoolDir, options);
    try {
      if (!(await this.has(spooled.sha256))) {
        await this.#call('put', () => this.#client.send(new PutObjectCommand({
          Bucket: this.#bucket, Key: this.#key(spooled.sha256), Body: createReadStream(spooled.path), ContentLength: spooled.size,
        })));
      }
    } finally {
      await spooled.discard();
    }
    return { sha256: spooled.sha256, size: spooled.size };
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(sha256) }));
      return true;
    } catch (error) {
      if (isS3NotFound(error)) return false;
      throw new ObjectStoreError('unavailable', `S3 head ${this.location}: ${(error as Error).message}`, { cause: error });
    }
  }

  async get(sha256: string): Promise<Readable> {
    const answer = await this.#call('get', () => this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(sha256) })), sha256);
    if (!(answer.Body instanceof Readable)) throw new ObjectStoreError('unavailable', 'S3 answered without a body stream');
    return answer.Body;
  }

  async download(sha256: string, path: string): Promise<void> {
    const partial = `${path}.partial-${process.pid}-${randomBytes(6).toString('hex')}`;
    await mkdir(dirname(path), { recursive: true });
    try {
      await pipeline(await this.get(sha256), createWriteStream(partial));
      await verifyFile(partial, sha256);
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.#call('delete', () => this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(sha256) })));
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #call<T>(what: string, send: () => Promise<T>, sha256?: string): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (sha256 !== undefined && isS3NotFound(error)) throw new ObjectStoreError('not-found', `no object ${sha256} in ${this.location}`, { cause: error });
      throw new ObjectStoreError('unavailable', `S3 ${what} in ${this.location}: ${(error as Error).message}`, { cause: error });
    }
  }
}
