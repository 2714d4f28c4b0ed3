/**
 * A real S3-compatible server (s3rver) for one test file: loopback, free port, its own
 * directory, the given buckets created. Credentials are s3rver's fixed pair.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no types; its surface used here is tiny.
// @ts-expect-error -- untyped CommonJS module
import S3rver from 's3rver';
import type { S3Settings } from '@inferq/object-store';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** A running s3rver. */
export interface TestS3 {
  /** Settings that reach it (as S3_ENDPOINT etc. would give). */
  settings: S3Settings;
  /** The same as environment variables, for child processes. */
  env: Record<string, string>;
  /** Stops it and deletes its directory. */
  dispose(): Promise<void>;
}

/** s3rver accepts only this key pair (its documented default). */
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';

export async function startTestS3(buckets: readonly string[]): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'inferq-test-s3-'));
  const server = new (S3rver as new (options: object) => S3rverInstance)({
    address: '127.0.0.1', port: 0, silent: true, directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    settings: { endpoint, region: 'us-east-1', credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }, forcePathStyle: true },
    env: { S3_ENDPOINT: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY },
    async dispose() {
      await server.close().catch(() => {});
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
