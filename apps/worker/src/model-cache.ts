import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '@inferq/object-store';

/**
 * The local copy of a model file registered at run time: `<cacheDir>/<sha256>.onnx`, fetched
 * from the model store once and kept (the name is the content hash, so a copy never goes stale).
 * Downloads check the hash and land by rename, so a file present here is whole and right.
 */
export async function cachedModelFile(store: ObjectStore, sha256: string, cacheDir: string): Promise<string> {
  const path = join(cacheDir, `${sha256}.onnx`);
  const present = await access(path).then(() => true, () => false);
  if (!present) await store.download(sha256, path);
  return path;
}
