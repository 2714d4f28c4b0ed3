#!/usr/bin/env node
// Runs the test suite with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|integration|e2e ...]   (no argument: everything)
// Node 20's --test does not expand globs, so the files are collected here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suites = {
  unit: ['apps', 'packages', 'bench/lib'],
  integration: ['test/integration'],
  e2e: ['test/e2e'],
};
const wanted = process.argv.slice(2);
const selected = wanted.length === 0 ? Object.keys(suites) : wanted;
for (const name of selected) {
  if (!(name in suites)) {
    console.error(`unknown suite "${name}"; expected one of ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}

/** @param {string} dir @returns {string[]} */
function findTests(dir) {
  const out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const entry of entries) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = selected.flatMap((name) => suites[name].flatMap((dir) => findTests(join(root, dir)))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// A per-test timeout so a hang fails one test instead of eating CI's time limit. The limit also
// applies to each file as a whole, so files that build container images (minutes of CPU: see
// docs/deployment.md) run in a second pass with a longer one; each of their own steps is bounded too.
// The spec reporter on every Node line (22 defaults to tap when not on a terminal, 24 to spec):
// the same output everywhere, and failures repeated at the end where CI logs are read.
const LONG = new Set(['test/e2e/docker-compose.test.ts']);
const passes = [
  { timeoutMs: 180_000, files: files.filter((f) => !LONG.has(relative(root, f))) },
  { timeoutMs: 1_800_000, files: files.filter((f) => LONG.has(relative(root, f))) },
].filter((p) => p.files.length > 0);

// Each pass's runner gets a process group of its own; whatever its test files leave behind in it (a
// redis-server or app process of a file killed by its timeout) is killed when it ends, and a
// signal to this script reaches the whole group.
let current;
const killGroup = (signal) => {
  try { if (current) process.kill(-current.pid, signal); } catch { /* the group is empty */ }
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killGroup(signal);
    setTimeout(() => { killGroup('SIGKILL'); process.exit(1); }, 10_000).unref();
  });
}
/** Runs one pass; resolves with its exit status. */
const runPass = (pass) => new Promise((resolvePass) => {
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', `--test-timeout=${pass.timeoutMs}`, ...pass.files.map((f) => relative(root, f))];
  current = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } });
  current.on('exit', (code, signal) => {
    killGroup('SIGKILL');
    resolvePass(code ?? (signal ? 1 : 0));
  });
});
let status = 0;
for (const pass of passes) {
  const code = await runPass(pass);
  if (code !== 0) status = code;
}
process.exit(status);
