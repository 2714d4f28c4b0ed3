/**
 * `npm run export:log`: writes the prediction log as JSON Lines (one `PredictionLogEntry` plus its
 * `logId` per line, oldest first), for analysis or retraining.
 *
 *   npm run export:log -- --model iris --out exports/iris.jsonl              # from the API on :3000 (exports/ is git-ignored)
 *   npm run export:log -- --model iris --version 1 --since 2026-01-01T00:00:00Z --limit 10000 --out exports/iris.jsonl
 *   npm run export:log -- --api http://host:3000 --key "$INFERQ_API_KEY" --out exports/all.jsonl
 *   npm run export:log -- --redis redis://127.0.0.1:6379 --prefix inferq --out exports/all.jsonl   # straight from Redis
 *
 * Through the API it streams `GET /v1/predictions/log` (an API key comes from --key or
 * INFERQ_API_KEY); with --redis it reads the stream itself. Without --out it writes to stdout.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_KEY_PREFIX, redisKeys } from '@inferq/contract';
import { createRedisConnection } from '@inferq/redis';
import { parseLogSince, PredictionLog } from '@inferq/predictions';

const USAGE = 'usage: npm run export:log -- [--model m] [--version v] [--since ms|ISO|logId] [--limit n] [--out file.jsonl] [--api http://127.0.0.1:3000 [--key K] | --redis redis://… [--prefix p]]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' }, version: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' },
      out: { type: 'string' }, api: { type: 'string' }, key: { type: 'string' }, redis: { type: 'string' }, prefix: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new Error(`--limit must be a whole number\n${USAGE}`);
  if (values.out) mkdirSync(dirname(values.out), { recursive: true });
  const output: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  let lines = 0;
  const counting = async function* (source: AsyncIterable<string | Uint8Array>) {
    for await (const chunk of source) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      yield chunk;
    }
  };

  if (values.redis) {
    const redis = createRedisConnection(values.redis, 'worker');
    try {
      const log = new PredictionLog(redis, redisKeys(values.prefix ?? DEFAULT_KEY_PREFIX));
      const since = values.since;
      const entries = log.read({
        ...(values.model !== undefined ? { model: values.model } : {}),
        ...(values.version !== undefined ? { version: values.version } : {}),
        ...(values.limit !== undefined ? { limit: Number(values.limit) } : {}),
        ...(since === undefined ? {} : sinceBound(since)),
      });
      await pipeline(Readable.from((async function* () { for await (const e of entries) yield `${JSON.stringify(e)}\n`; })()), counting, output);
    } finally {
      await redis.quit().catch(() => redis.disconnect());
    }
  } else {
    const url = new URL('/v1/predictions/log', values.api ?? 'http://127.0.0.1:3000');
    for (const name of ['model', 'version', 'since', 'limit'] as const) if (values[name] !== undefined) url.searchParams.set(name, values[name]);
    const key = values.key ?? process.env.INFERQ_API_KEY;
    const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), counting, output);
  }
  if (values.out) console.error(`wrote ${lines} prediction(s) to ${values.out}`);
}

/** `--since` as a read bound; throws with the usage when it is not a time or a logId. */
function sinceBound(since: string) {
  const bound = parseLogSince(since);
  if (!bound) throw new Error(`--since must be epoch ms, an ISO time or a logId\n${USAGE}`);
  return bound;
}

main().catch((error: Error) => {
  console.error(`export:log failed: ${error.message}`);
  process.exit(1);
});
