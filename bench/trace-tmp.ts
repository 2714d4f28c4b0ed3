import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '@inferq/redis';
import { startStack } from './scenarios/ours.js';
import { workloads } from './lib/workloads.js';
const workload = workloads().find((w) => w.model === 'iris')!;
const redis = await startEmbeddedRedis({ dir: mkdtempSync(join(tmpdir(), 'trace-')) });
const stack = await startStack(redis.url, 1, 2, {}, { monitor: false });
const socket = new WebSocket(`${stack.base.replace('http', 'ws')}/v1/ws`, { perMessageDeflate: false });
await new Promise((r) => socket.once('open', r));
const send = (i: number) => new Promise<void>((resolve) => {
  const on = (raw: WebSocket.RawData) => { const m = JSON.parse(raw.toString()); if (m.type === 'accepted') { marks.push([`client: accepted`, performance.now()]); return; } socket.off('message', on); marks.push(['client: result', performance.now()]); resolve(); };
  socket.on('message', on);
  marks.push(['client: send', performance.now()]);
  socket.send(`{"type":"predict","model":"iris","request":${workload.bodies[i % workload.bodies.length]},"ref":"r${i}"}`);
});
let marks: Array<[string, number]> = [];
for (let i = 0; i < 100; i++) await send(i);
const mon = new Redis(redis.url);
const lines: string[] = [];
await mon.monitor().then((m) => m.on('monitor', (time: string, args: string[], source: string) => lines.push(`${time} ${source} ${args.slice(0, 3).join(' ').slice(0, 90)}`)));
await new Promise((r) => setTimeout(r, 300));
for (let i = 0; i < 3; i++) {
  lines.length = 0; marks = [];
  const wallStart = Date.now() / 1000; const perfStart = performance.now();
  await send(1000 + i);
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Number(lines[0]?.split(' ')[0] ?? wallStart);
  console.log(`--- prediction ${i}`);
  for (const [what, t] of marks) console.log(`${((wallStart + (t - perfStart) / 1000 - t0) * 1000).toFixed(3).padStart(8)} ms  ${what}`);
  for (const l of lines) { const [time, ...rest] = l.split(' '); console.log(`${((Number(time) - t0) * 1000).toFixed(3).padStart(8)} ms  ${rest.join(' ')}`); }
  await new Promise((r) => setTimeout(r, 200));
}
socket.close(); mon.disconnect(); await stack.stop(); await redis.stop(); process.exit(0);
