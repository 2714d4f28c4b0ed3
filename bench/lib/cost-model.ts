/**
 * The cost model: CPU µs per prediction of each process of the stack (from `/proc` deltas over the
 * measured interval) and Redis commands per prediction by command (INFO commandstats deltas).
 * The worker is split two ways: the wall time inside `session.run` (the `inferenceMs` counter of its
 * heartbeat; on a loaded machine wall time exceeds CPU time, so this is an upper bound), and its
 * main JavaScript thread versus its other threads (onnxruntime's pool, libuv, GC) from
 * `/proc/<pid>/task`. The load generator is this process (`process.cpuUsage`).
 */
import type { Redis } from 'ioredis';
import { processCpuMicros, threadCpuMicros } from './cpu.js';

/** The processes whose CPU is counted. */
export interface CostedProcesses {
  redis: Redis;
  keyPrefix: string;
  apiPid: number | undefined;
  workers: Array<{ id: string; pid: number | undefined }>;
  monitorPid?: number | undefined;
  redisPid: number | undefined;
}

/** CPU µs per prediction by process, and Redis commands per prediction. */
export interface CostReport {
  predictions: number;
  cpuMicrosPerPrediction: {
    api: number;
    workerSessionRun: number;
    workerRest: number;
    /** Of the worker: its main (JavaScript) thread; the rest runs on onnxruntime and libuv threads. */
    workerMainThread: number;
    monitor: number;
    redis: number;
    /** API + worker + monitor + Redis. */
    ours: number;
    loadGenerator: number;
  };
  redisCommandsPerPrediction: number;
  redisCommandsByCommand: Record<string, number>;
}

interface Snapshot {
  api: number;
  worker: number;
  workerMain: number;
  monitor: number;
  redisCpu: number;
  load: number;
  inferenceMs: number;
  heartbeatAt: number;
  commands: Record<string, number>;
}

async function inference(p: CostedProcesses): Promise<{ ms: number; at: number }> {
  let ms = 0;
  let at = 0;
  for (const w of p.workers) {
    const text = await p.redis.get(`${p.keyPrefix}:worker:${w.id}`);
    if (!text) continue;
    const beat = JSON.parse(text) as { at: number; models?: Array<{ inferenceMs?: number }> };
    at = Math.max(at, beat.at);
    for (const m of beat.models ?? []) ms += m.inferenceMs ?? 0;
  }
  return { ms, at };
}

async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/cmdstat_([a-z|_-]+):calls=(\d+)/g)) calls[m[1]!] = Number(m[2]);
  return calls;
}

async function snapshot(p: CostedProcesses, beat: { ms: number; at: number }): Promise<Snapshot> {
  const usage = process.cpuUsage();
  const threads = p.workers.map((w) => threadCpuMicros(w.pid));
  return {
    api: processCpuMicros(p.apiPid),
    worker: p.workers.reduce((n, w) => n + processCpuMicros(w.pid), 0),
    workerMain: threads.reduce((n, t) => n + t.main, 0),
    monitor: p.monitorPid ? processCpuMicros(p.monitorPid) : 0,
    redisCpu: processCpuMicros(p.redisPid),
    load: usage.user + usage.system,
    inferenceMs: beat.ms,
    heartbeatAt: beat.at,
    commands: await commandStats(p.redis),
  };
}

/** Waits (bounded) until a worker heartbeat newer than `after` is in Redis; its counters are then current. */
async function freshHeartbeat(p: CostedProcesses, after: number, timeoutMs = 20_000): Promise<{ ms: number; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const beat = await inference(p);
    if (beat.at > after || Date.now() > deadline) return beat;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits (bounded) until every consumer group of the prediction log has read and acknowledged all entries. */
async function monitorCaughtUp(p: CostedProcesses, timeoutMs = 30_000): Promise<void> {
  if (!p.monitorPid) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const groups = (await p.redis.xinfo('GROUPS', `${p.keyPrefix}:prediction-log`).catch(() => [])) as unknown[][];
    const behind = groups.some((g) => {
      const fields = Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]]));
      return Number(fields.pending) > 0 || Number(fields.lag ?? 0) > 0;
    });
    if (!behind) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs `load` (which returns the number of predictions it completed) and reports what they cost.
 * The interval starts once a worker heartbeat has been written with the stack idle and ends once the
 * monitor has caught up and the next heartbeat has been written, so background work the predictions
 * caused (prediction log, monitor windows) is counted with them and nothing else is.
 */
export async function measureCost(p: CostedProcesses, load: () => Promise<number>): Promise<CostReport> {
  const before = await snapshot(p, await inference(p));
  const predictions = await load();
  await monitorCaughtUp(p);
  const after = await snapshot(p, await freshHeartbeat(p, Date.now()));
  const per = (micros: number) => Math.round((micros / Math.max(1, predictions)) * 10) / 10;
  const sessionRun = (after.inferenceMs - before.inferenceMs) * 1000;
  const worker = after.worker - before.worker;
  const cpu = {
    api: per(after.api - before.api),
    workerSessionRun: per(sessionRun),
    workerRest: per(worker - sessionRun),
    workerMainThread: per(after.workerMain - before.workerMain),
    monitor: per(after.monitor - before.monitor),
    redis: per(after.redisCpu - before.redisCpu),
    ours: per(after.api - before.api + worker + after.monitor - before.monitor + after.redisCpu - before.redisCpu),
    loadGenerator: per(after.load - before.load),
  };
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [name, calls] of Object.entries(after.commands)) {
    const delta = calls - (before.commands[name] ?? 0);
    // The measurement's own reads (INFO, GET of heartbeats, XINFO) are not the service's.
    if (delta > 0 && name !== 'info' && name !== 'xinfo|groups' && name !== 'xinfo') {
      byCommand[name] = Math.round((delta / Math.max(1, predictions)) * 100) / 100;
      total += delta;
    }
  }
  return { predictions, cpuMicrosPerPrediction: cpu, redisCommandsPerPrediction: Math.round((total / Math.max(1, predictions)) * 100) / 100, redisCommandsByCommand: byCommand };
}

/** Markdown rows of a cost report: one line per process. */
export function costTable(name: string, r: CostReport): string[] {
  const c = r.cpuMicrosPerPrediction;
  return [
    `| ${name} | ${c.api} | ${Math.round((c.workerSessionRun + c.workerRest) * 10) / 10} | ${c.workerSessionRun} | ${c.workerMainThread} | ${c.monitor} | ${c.redis} | **${c.ours}** | ${c.loadGenerator} | ${r.redisCommandsPerPrediction} |`,
  ];
}

export const COST_TABLE_HEAD = [
  '| scenario | API | worker | of which session.run (wall) | worker JS thread | monitor | Redis | ours (sum) | load gen | Redis cmds |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
