/**
 * `node --import tsx bench/cost.ts [--seconds 8] [--clients 128 | --rate 300] [--transport ws] [--model iris] [--no-monitor] [--repeat 2] [--env NAME=value ...]`:
 * the cost model of one scenario, for iterating on the CPU each prediction costs. Defaults are what
 * `npm start` runs: one worker with ORT_INTRA_OP_THREADS = cores, the monitor, LOG_LEVEL=info
 * (its output is discarded by the child's pipe reader, as a log shipper would), iris over the
 * WebSocket with 128 predictions in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRedis } from '@inferq/redis';
import { COST_TABLE_HEAD, costTable } from './lib/cost-model.js';
import { closedLoop, openLoop } from './lib/load.js';
import { sender, startStack, withCost, type Transport } from './scenarios/ours.js';
import { workloads } from './lib/workloads.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    clients: { type: 'string', default: '128' },
    transport: { type: 'string', default: 'ws' },
    model: { type: 'string', default: 'iris' },
    'no-monitor': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    repeat: { type: 'string', default: '2' },
    /** Open loop at this many predictions/s instead of a closed loop: the same offered load before and after a change. */
    rate: { type: 'string' },
    /** `NAME=value` settings for the stack's processes (repeatable), e.g. `--env ORT_INTRA_OP_THREADS=1`. */
    env: { type: 'string', multiple: true, default: [] },
    /** The worker's onnxruntime intra-op threads. @defaultValue the cores, as `npm start` */
    threads: { type: 'string' },
  },
});
const workload = workloads().find((w) => w.model === args.model);
if (!workload) throw new Error(`unknown model ${args.model}`);
const redisDir = mkdtempSync(join(tmpdir(), 'inferq-cost-'));
const redis = await startEmbeddedRedis({ dir: redisDir });
try {
  const stack = await startStack(redis.url, 1, args.threads ? Number(args.threads) : availableParallelism(), { LOG_LEVEL: args['log-level'], ...Object.fromEntries(args.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) }, { monitor: !args['no-monitor'] });
  try {
    const send = sender(stack, workload, args.transport as Transport);
    // Warm-up (JIT, batch policy), not measured.
    await closedLoop(send, Number(args.clients), 2_000, 0);
    console.log(`${args.model} ${args.transport} ${args.rate ? `open loop ${args.rate}/s` : `k=${args.clients}`}, ${args.seconds} s per run, monitor ${args['no-monitor'] ? 'off' : 'on'}, LOG_LEVEL=${args['log-level']}${args.env.length > 0 ? `, ${args.env.join(' ')}` : ''}`);
    console.log('CPU µs per prediction by process (from /proc); Redis commands per prediction');
    console.log(COST_TABLE_HEAD.join('\n'));
    // Batches the worker ran (heartbeat counters, written every few seconds): mean predictions per batch.
    const batchCounters = async () => {
      let batches = 0;
      let predictions = 0;
      for (const id of stack.workerIds) {
        const beat = JSON.parse((await stack.redis.get(`${stack.keyPrefix}:worker:${id}`)) ?? '{}') as { models?: Array<{ batches: number; predictions: number }> };
        for (const m of beat.models ?? []) {
          batches += m.batches;
          predictions += m.predictions;
        }
      }
      return { batches, predictions };
    };
    for (let run = 0; run < Number(args.repeat); run++) {
      const batchesBefore = await batchCounters();
      const { throughput, p50, p99, cost: report } = await withCost(stack, redis.process.pid, () => (args.rate
        ? openLoop(send, Number(args.rate), Number(args.seconds) * 1000)
        : closedLoop(send, Number(args.clients), Number(args.seconds) * 1000, 0)));
      console.log(costTable(`run ${run + 1}: ${Math.round(throughput)}/s`, report).join('\n'));
      const batchesAfter = await batchCounters();
      const perBatch = (batchesAfter.predictions - batchesBefore.predictions) / Math.max(1, batchesAfter.batches - batchesBefore.batches);
      console.log(`  worker main thread ${report.cpuMicrosPerPrediction.workerMainThread} µs; latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; ${perBatch.toFixed(1)} predictions per batch; by command: ${JSON.stringify(report.redisCommandsByCommand)}`);
    }
  } finally {
    await stack.stop();
  }
} finally {
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}
process.exit(0);
