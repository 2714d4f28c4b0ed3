import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './workloads.js';

/** A child process of the benchmark (API, worker, naive server, no-op worker). */
export interface Child {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <entry>` from the repository root. With `BENCH_CPU_PROF=<dir>` in the
 * environment each child writes a V8 CPU profile there when it exits (`--cpu-prof`; NODE_OPTIONS
 * may not carry it); `BENCH_NODE_FLAGS` (space-separated) adds other flags, e.g. `--trace-gc`.
 */
export function startChild(entry: string, env: Record<string, string>): Child {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  profile.push(...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last chunks only, kept as bytes: decoding a chatty child's log would load the load generator.
  const chunks: Buffer[] = [];
  const keep = (c: Buffer) => {
    chunks.push(c);
    if (chunks.length > 16) chunks.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => Buffer.concat(chunks).toString().slice(-20_000),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Polls `check` until true or `timeoutMs` (start-up only). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
