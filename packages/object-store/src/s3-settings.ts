/**
 * How to reach an S3-compatible server. Read once from the environment by each app's config.ts
 * (`s3SettingsFromEnv`), so a bad value stops start-up with the variable's name.
 */

/** Connection settings of S3 (or an S3-compatible server: MinIO, s3rver, R2...). */
export interface S3Settings {
  /** `S3_ENDPOINT`: the server's URL; absent = AWS's own endpoint for the region. */
  endpoint?: string;
  /** `AWS_REGION` (or `AWS_DEFAULT_REGION`) @defaultValue 'us-east-1' */
  region: string;
  /** `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`; absent = the SDK's default chain (profile, IAM role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** `S3_FORCE_PATH_STYLE`: `http://host/bucket/key` URLs, which most S3-compatible servers need. @defaultValue true when S3_ENDPOINT is set */
  forcePathStyle: boolean;
}

/** Reads S3Settings; throws an Error naming the bad variable. */
export function s3SettingsFromEnv(env: Readonly<Record<string, string | undefined>>): S3Settings {
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const endpoint = value('S3_ENDPOINT');
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try { url = new URL(endpoint); } catch { /* reported below */ }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new Error(`S3_ENDPOINT: "${endpoint.slice(0, 100)}" is not an http(s) URL`);
  }
  const accessKeyId = value('AWS_ACCESS_KEY_ID');
  const secretAccessKey = value('AWS_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither');
  }
  const pathStyle = value('S3_FORCE_PATH_STYLE');
  if (pathStyle !== undefined && pathStyle !== 'true' && pathStyle !== 'false') throw new Error(`S3_FORCE_PATH_STYLE: must be true or false, not "${pathStyle.slice(0, 20)}"`);
  const sessionToken = value('AWS_SESSION_TOKEN');
  return {
    ...(endpoint !== undefined ? { endpoint } : {}),
    region: value('AWS_REGION') ?? value('AWS_DEFAULT_REGION') ?? 'us-east-1',
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) } }
      : {}),
    forcePathStyle: pathStyle !== undefined ? pathStyle === 'true' : endpoint !== undefined,
  };
}
