#!/usr/bin/env node
// Runs the test suite with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|integration|e2e ...]   (no argument: everything)
// Node 20's --test does not expand globs, so the files are collected here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suites = {
  unit: ['apps', 'packages'],
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
// A per-test timeout so a hang fails one test instead of eating CI's time limit.
// The spec reporter on every Node line (22 defaults to tap when not on a terminal, 24 to spec):
// the same output everywhere, and failures repeated at the end where CI logs are read.
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=180000', ...files.map((f) => relative(root, f))];
// The runner gets a process group of its own; whatever its test files leave behind in it (a
// redis-server or app process of a file killed by its timeout) is killed when it ends, and a
// signal to this script reaches the whole group.
const runner = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } });
const killGroup = (signal) => {
  try { process.kill(-runner.pid, signal); } catch { /* the group is empty */ }
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killGroup(signal);
    setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
  });
}
runner.on('exit', (code, signal) => {
  killGroup('SIGKILL');
  process.exit(code ?? (signal ? 1 : 0));
});
