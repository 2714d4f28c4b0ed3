/**
 * CPU time of processes from Linux `/proc` (utime + stime, clock ticks of 10 ms), read before and
 * after a measured interval. CPU per prediction depends far less on what else the machine runs than
 * throughput does, so it is the figure the benchmark compares.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_S = 100;

/** CPU µs of one `/proc/.../stat` file; NaN when it cannot be read. */
function statMicros(path: string): number {
  try {
    const text = readFileSync(path, 'utf8');
    // Fields after the parenthesised command name (which may itself hold spaces).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/** CPU µs a process has used so far, all its threads. */
export function processCpuMicros(pid: number | undefined): number {
  return pid ? statMicros(`/proc/${pid}/stat`) : Number.NaN;
}

/** CPU µs of a process split into its main (JavaScript) thread and all other threads. */
export function threadCpuMicros(pid: number | undefined): { main: number; others: number } {
  if (!pid) return { main: Number.NaN, others: Number.NaN };
  let main = 0;
  let others = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const micros = statMicros(`/proc/${pid}/task/${tid}/stat`);
      if (!Number.isFinite(micros)) continue;
      if (Number(tid) === pid) main += micros;
      else others += micros;
    }
  } catch {
    return { main: Number.NaN, others: Number.NaN };
  }
  return { main, others };
}

/** CPU µs of a process's threads summed by thread name (`comm`: `node` is the main thread, `V8 Worker`, `libuv-worker`, …). */
export function threadCpuByName(pid: number | undefined): Record<string, number> {
  const byName: Record<string, number> = {};
  if (!pid) return byName;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const micros = statMicros(`/proc/${pid}/task/${tid}/stat`);
      if (!Number.isFinite(micros)) continue;
      let name = 'unknown';
      try { name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(); } catch { /* the thread ended */ }
      if (Number(tid) === pid) name = 'main';
      byName[name] = (byName[name] ?? 0) + micros;
    }
  } catch {
    return byName;
  }
  return byName;
}
