/**
 * The options of `POST /v1/models/{m}/batches`, from the query string (streamed bodies) or the
 * fields beside `uri` (JSON bodies): checked once here, each failure an INVALID_REQUEST naming
 * the field.
 */
import { InferqError } from '@inferq/contract';
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, type BatchFormat, type BatchOptions, type BatchPriority } from '@inferq/batch-jobs';

const FORMATS: readonly BatchFormat[] = ['jsonl', 'csv'];
const PRIORITIES: readonly BatchPriority[] = ['high', 'normal', 'low'];

const invalid = (message: string): never => {
  throw new InferqError('INVALID_REQUEST', message);
};

function choice<T extends string>(field: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) invalid(`"${field}" must be one of ${choices.join(', ')}`);
  return value as T;
}

function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) invalid(`"${field}" must be a string of 1 to 2048 characters`);
  return value as string;
}

/** Reads the batch options from `source` (query or JSON body). */
export function parseBatchOptions(source: Record<string, unknown>): BatchOptions {
  let chunkSize = DEFAULT_CHUNK_SIZE;
  if (source.chunkSize !== undefined) {
    const n = typeof source.chunkSize === 'string' && /^\d{1,7}$/.test(source.chunkSize) ? Number(source.chunkSize) : source.chunkSize;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_CHUNK_SIZE) invalid(`"chunkSize" must be an integer from 1 to ${MAX_CHUNK_SIZE}`);
    chunkSize = n as number;
  }
  const webhook = optionalString('webhook', source.webhook);
  if (webhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(webhook);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) invalid('"webhook" must be an http:// or https:// URL');
  }
  const resultUri = optionalString('resultUri', source.resultUri);
  return {
    format: choice('format', source.format, FORMATS, 'jsonl'),
    chunkSize,
    priority: choice('priority', source.priority, PRIORITIES, 'low'),
    ...(webhook !== undefined ? { webhook } : {}),
    ...(resultUri !== undefined ? { resultUri } : {}),
  };
}

/** The input format: `inputFormat` when given, else from the content type or the URI's extension. */
export function inputFormatOf(explicit: unknown, hint: string | undefined): BatchFormat {
  if (explicit !== undefined) return choice('inputFormat', explicit, FORMATS, 'jsonl');
  const h = (hint ?? '').toLowerCase();
  if (h.includes('csv')) return 'csv';
  if (/json[-]?l|ndjson|jsonlines/.test(h)) return 'jsonl';
  return invalid('"inputFormat" is needed (csv or jsonl): it cannot be told from the content type or the URI');
}

/** Content types whose body is streamed to the store as a batch input. */
export const BATCH_CONTENT_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines'];
