import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import { checkSha256 } from './hash-check.js';
import { ObjectStoreError } from './object-store-error.js';
import type { ObjectStore, PutOptions, StoredObject } from './object-store.js';
import { spool } from './spool.js';
import { verifyFile } from './verify-file.js';

/**
 * Objects as files `<root>/sha256/<first two hex>/<hash>`. Writes go to a temporary file in
 * `<root>` and are renamed into place, so a reader never sees a partial object and two writers
 * of the same bytes do not clash. Several processes may share the directory (same machine or a
 * shared volume).
 */
export class DirectoryObjectStore implements ObjectStore {
  readonly root: string;
  readonly location: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = pathToFileURL(this.root).href;
  }

  /** Where the object of `sha256` lives (whether or not it exists). */
  pathOf(sha256: string): string {
    checkSha256(sha256);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredObject> {
    await mkdir(this.root, { recursive: true });
    const spooled = await spool(source, this.root, options);
    try {
      const target = this.pathOf(spooled.sha256);
      await mkdir(dirname(target), { recursive: true });
      await rename(spooled.path, target);
    } finally {
      await spooled.discard();
    }
    return { sha256: spooled.sha256, size: spooled.size };
  }

  async has(sha256: string): Promise<boolean> {
    return access(this.pathOf(sha256)).then(() => true, () => false);
  }

  async get(sha256: string): Promise<Readable> {
    const path = this.pathOf(sha256);
    if (!(await this.has(sha256))) throw new ObjectStoreError('not-found', `no object ${sha256} in ${this.location}`);
    return createReadStream(path);
  }

  async download(sha256: string, path: string): Promise<void> {
    const source = this.pathOf(sha256);
    const size = await stat(source).then((s) => s.size, () => undefined);
    if (size === undefined) throw new ObjectStoreError('not-found', `no object ${sha256} in ${this.location}`);
    const partial = `${path}.partial-${process.pid}-${randomBytes(6).toString('hex')}`;
    await mkdir(dirname(path), { recursive: true });
    try {
      await copyFile(source, partial);
      // The shared directory may be written by other hands: check before anyone trusts the copy.
      await verifyFile(partial, sha256);
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async close(): Promise<void> {}
}
