/**
 * `node --import tsx bench/latency-probe.ts [--count 400] [--model iris]`: one client, one prediction at a time over the
 * WebSocket; prints the median of each leg (client round trip, API acceptance → batch start (`queueWaitMs`),
 * inference, acceptance → result written (`totalMs`)) so the 1-client latency over raw inference can be located.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startEmbeddedRedis } from '@inferq/redis';
import { startStack } from './scenarios/ours.js';
import { workloads } from './lib/workloads.js';

const { values: args } = parseArgs({ options: { count: { type: 'string', default: '400' }, model: { type: 'string', default: 'iris' }, env: { type: 'string', multiple: true, default: [] } } });
const workload = workloads().find((w) => w.model === args.model);
if (!workload) throw new Error(`unknown model ${args.model}`);
const env = Object.fromEntries(args.env.map((kv) => kv.split('=', 2) as [string, string]));
const dir = mkdtempSync(join(tmpdir(), 'inferq-latency-'));
const redis = await startEmbeddedRedis({ dir });
const stack = await startStack(redis.url, 1, 2, env, { monitor: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;
try {
  const socket = new WebSocket(`${stack.base.replace('http', 'ws')}/v1/ws`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  const legs = { roundTrip: [] as number[], queueWait: [] as number[], inference: [] as number[], total: [] as number[] };
  const count = Number(args.count);
  for (let i = 0; i < count + 50; i++) {
    const started = performance.now();
    const reply = await new Promise<{ timings?: { queueWaitMs?: number; inferenceMs?: number; totalMs?: number } }>((resolve) => {
      const onMessage = (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as { type: string };
        if (message.type === 'accepted') return;
        socket.off('message', onMessage);
        resolve(message as never);
      };
      socket.on('message', onMessage);
      socket.send(`{"type":"predict","model":${JSON.stringify(args.model)},"request":${workload.bodies[i % workload.bodies.length]},"ref":"r${i}"}`);
    });
    if (i < 50) continue; // warm-up
    legs.roundTrip.push(performance.now() - started);
    const t = reply.timings ?? {};
    if (t.queueWaitMs !== undefined) legs.queueWait.push(t.queueWaitMs);
    if (t.inferenceMs !== undefined) legs.inference.push(t.inferenceMs);
    if (t.totalMs !== undefined) legs.total.push(t.totalMs);
  }
  for (const [leg, xs] of Object.entries(legs)) if (xs.length) console.log(`${leg.padEnd(10)} p50 ${median(xs).toFixed(3)} ms  p99 ${p99(xs).toFixed(3)} ms  (n=${xs.length})`);
  socket.close();
} finally {
  await stack.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
