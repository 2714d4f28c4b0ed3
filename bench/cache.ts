/**
 * `npm run bench:cache [-- --rounds 3] [-- --requests 300]`: the prediction cache's hit latency
 * against a miss, at 1 client. One stack (API + 1 worker + Redis, child processes) serves copies
 * of the bundled models with `"cache": {"ttlSeconds": 3600, "maxEntries": 100000}`; a client sends
 * synchronous `POST /v2/models/{m}/infer` requests one after the other: a miss is an input never
 * sent before (queued, batched, run, cached), a hit repeats an input already computed. Misses and
 * hits alternate in `rounds` rounds so machine drift hits both alike; the table gives the median
 * over rounds of each round's percentiles, and the ratio miss p50 / hit p50 from the same run.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis } from '@inferq/redis';
import { mulberry32 } from '@inferq/monitoring';
import { median, percentile } from './lib/stats.js';
import { MODELS_DIR, workloads, type Workload } from './lib/workloads.js';
import { startStack } from './scenarios/ours.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, requests: { type: 'string', default: '300' } } });
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const threads = availableParallelism();
const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');

/** A copy of the bundled models with the cache on. */
function cachedRepository(root: string): void {
  for (const w of workloads()) {
    const dir = join(root, w.model, '1');
    mkdirSync(dir, { recursive: true });
    cpSync(join(MODELS_DIR, w.model, '1', 'model.onnx'), join(dir, 'model.onnx'));
    const config = JSON.parse(readFileSync(join(MODELS_DIR, w.model, '1', 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, cache: { ttlSeconds: 3600, maxEntries: 100_000 } }));
  }
}

/** `count` request bodies with inputs never used before (base64 data: cheap for the client to send). */
function freshBodies(w: Workload, random: () => number, count: number): string[] {
  const size = w.rowShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, () => {
    const row = Float32Array.from({ length: size }, () => random() * 2 - 1);
    return JSON.stringify({ inputs: [{ name: w.inputName, shape: [1, ...w.rowShape], datatype: 'FP32', data: Buffer.from(row.buffer).toString('base64') }] });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'inferq-bench-cache-'));
const repository = join(dir, 'models');
cachedRepository(repository);
const redis = await startEmbeddedRedis({ dir: join(dir, 'redis') });
try {
  console.log(`# prediction cache: hit vs miss at 1 client, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
  console.log(`API + 1 worker + Redis + client on this machine; POST /v2/models/{m}/infer one at a time; ${rounds} alternating rounds; median of rounds.\n`);
  console.log('| model | requests | miss p50 ms | miss p95 ms | hit p50 ms | hit p95 ms | miss p50 / hit p50 |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const stack = await startStack(redis.url, 1, threads, { MODEL_REPOSITORY: repository });
  try {
    for (const w of workloads()) {
      const random = mulberry32(11);
      const count = w.model === 'iris' ? requests : Math.max(10, Math.round(requests / 6));
      const path = `/v2/models/${w.model}/infer`;
      const call = async (body: string) => {
        const started = performance.now();
        const response = await stack.http.send('POST', path, body);
        if (response.status !== 200) throw new Error(`${path}: ${response.status} ${response.body.slice(0, 200)}`);
        return performance.now() - started;
      };
      // The hit input, computed once before measuring.
      const [hitBody] = freshBodies(w, random, 1);
      await call(hitBody!);
      const runs = { miss: [] as number[][], hit: [] as number[][] };
      for (let round = 0; round < rounds; round++) {
        const bodies = freshBodies(w, random, count);
        const miss: number[] = [];
        for (const body of bodies) miss.push(await call(body));
        const hit: number[] = [];
        for (let i = 0; i < count; i++) hit.push(await call(hitBody!));
        runs.miss.push(miss);
        runs.hit.push(hit);
      }
      const stat = (mode: 'miss' | 'hit', p: number) => median(runs[mode].map((r) => percentile(r, p)));
      console.log(`| ${w.model} | ${count} × ${rounds} each | ${fmt(stat('miss', 50))} | ${fmt(stat('miss', 95))} | ${fmt(stat('hit', 50))} | ${fmt(stat('hit', 95))} | ${fmt(stat('miss', 50) / stat('hit', 50), 1)}× |`);
    }
    const [statsKey] = await stack.redis.keys(`${stack.keyPrefix}:cache-stats:iris:1`);
    if (statsKey) console.log(`\nCheck: iris cache lookups ${JSON.stringify(await stack.redis.hgetall(statsKey))} (every hit request was a hit).`);
  } finally {
    await stack.stop();
  }
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
