import type { Readable } from 'node:stream';

/** What a put stored. */
export interface StoredObject {
  /** Lower-case hex SHA-256 of the bytes: the object's name in the store. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** Options of one put. */
export interface PutOptions {
  /** Refuse (`too-large`) a source longer than this, after reading at most this many bytes + 1 chunk. */
  maxBytes: number;
  /** When given, refuse (`digest-mismatch`) bytes that hash to anything else; nothing is stored then. */
  sha256?: string;
}

/**
 * A content-addressed blob store: objects are written once and named by the SHA-256 of their
 * bytes, so the same bytes uploaded twice are stored once and a reader can check what it got.
 * Implementations: `DirectoryObjectStore` (a local or shared directory) and `S3ObjectStore`.
 */
export interface ObjectStore {
  /** Where the objects live, for logs (`file:///…`, `s3://bucket/prefix`); never holds credentials. */
  readonly location: string;
  /**
   * Streams `source` into the store, hashing as it goes; never holds the whole object in memory.
   * Throws ObjectStoreError `too-large` or `digest-mismatch` (nothing is stored then).
   */
  put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredObject>;
  /** True when an object with this hash is stored. */
  has(sha256: string): Promise<boolean>;
  /** The object's bytes as a stream. Throws ObjectStoreError `not-found`. */
  get(sha256: string): Promise<Readable>;
  /**
   * Copies the object to `path` (written beside it, then renamed: a reader never sees half a
   * file) and checks its hash on the way. Throws `not-found` or `digest-mismatch`.
   */
  download(sha256: string, path: string): Promise<void>;
  /** Removes the object; no error when it is absent. */
  delete(sha256: string): Promise<void>;
  /** Releases clients. Idempotent. */
  close(): Promise<void>;
}
