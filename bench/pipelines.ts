/**
 * `npm run bench:pipelines [-- --quick]`: what a pipeline costs over its model. The same stack
 * (API + 1 worker + Redis) serves `iris` (an FP32 row) and `iris-named` (the same row as named
 * features → iris → labels, steps in the worker); the same number of synchronous v2 requests at
 * the same concurrency go to each, interleaved, in the same run. The ratio is the figure; absolute
 * numbers depend on the machine and its load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis } from '@inferq/redis';
import { percentile } from './lib/stats.js';
import { startStack } from './scenarios/ours.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const requests = args.quick ? 300 : 2000;
const clients = 16;
const rounds = args.quick ? 1 : 3;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

const ROW = [6.7, 3.0, 5.2, 2.3];
const bodies: Record<string, string> = {
  iris: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: ROW }] }),
  'iris-named': JSON.stringify({ inputs: [{ name: 'features', datatype: 'BYTES', shape: [1], data: [{ sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 }] }] }),
};

console.log(`# Pipeline overhead${args.quick ? ' (quick)' : ''}: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}; ${requests} requests per point, ${clients} in flight, ${rounds} rounds interleaved`);
const redisDir = mkdtempSync(join(tmpdir(), 'inferq-bench-pipelines-'));
const redis = await startEmbeddedRedis({ dir: redisDir });
try {
  const stack = await startStack(redis.url, 1, 1, { MODELS: 'iris,iris-named' });
  try {
    const run = async (model: string) => {
      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: clients }, async () => {
        while (next < requests) {
          next++;
          const t0 = performance.now();
          const response = await stack.http.send('POST', `/v2/models/${model}/infer`, bodies[model]!, { 'content-type': 'application/json' });
          if (response.status !== 200) throw new Error(`${model}: ${response.status} ${response.body.slice(0, 300)}`);
          latencies.push(performance.now() - t0);
        }
      }));
      return { perS: requests / ((performance.now() - started) / 1000), p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
    };
    for (const model of Object.keys(bodies)) await run(model); // warm-up
    console.log('\n| round | iris req/s | iris p50 / p95 ms | iris-named req/s | iris-named p50 / p95 ms | iris-named ÷ iris |\n| --- | --- | --- | --- | --- | --- |');
    for (let round = 1; round <= rounds; round++) {
      const model = await run('iris');
      const pipeline = await run('iris-named');
      console.log(`| ${round} | ${fmt(model.perS)} | ${fmt(model.p50)} / ${fmt(model.p95)} | ${fmt(pipeline.perS)} | ${fmt(pipeline.p50)} / ${fmt(pipeline.p95)} | ${fmt(pipeline.perS / model.perS, 2)} |`);
    }
  } finally {
    await stack.stop();
  }
} finally {
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}
