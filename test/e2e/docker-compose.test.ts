/**
 * docker-compose.yml, run for real: the images are built from Dockerfile and the stack is started
 * with `up -d --scale worker=3` (Compose v2 or docker-compose 1.29, whichever the machine has).
 *   1. Every one of the three worker containers runs batches (their heartbeats' batch counters,
 *      read through GET /v1/monitoring/status).
 *   2. `docker kill` (SIGKILL) of one worker container while predictions are in flight loses
 *      nothing: every accepted prediction completes (counted).
 *   3. Scaling down to one worker under load drains gracefully: the stopped containers exit 0
 *      after logging "worker stopped", and every accepted prediction completes.
 * Without an engine, Compose or the base images (scripts/prepare-docker.sh) the suite is skipped
 * and the reason printed. Every docker call and wait is bounded in time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@inferq/redis';
import { dockerUnavailable, run, type ComposeCli } from '../helpers/docker.js';
import { waitUntil } from '../helpers/processes.js';
import { irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { pollUntilFinal, submitRest } from '../helpers/fault-clients.js';

const PROJECT = 'inferq-e2e';
const availability = await dockerUnavailable();
const skip = 'reason' in availability ? availability.reason : false;
if (skip) console.log(`# docker-compose e2e skipped: ${skip}`);

interface WorkerStatus { id: string; host?: string; models?: Array<{ model: string; batches: number }> }

describe('e2e: docker compose up --scale worker=3', { skip }, () => {
  const compose = (availability as { compose: ComposeCli }).compose;
  let dir: string;
  let base: string;
  let env: Record<string, string>;
  const random = seededRandom(3);

  /** Test-only settings layered over docker-compose.yml (maps merge): faster stall recovery, one thread per worker. */
  const override = `services:
  api:
    environment:
      COALESCE_MAX_PREDICTIONS: "1"
      LOG_LEVEL: info
  worker:
    environment:
      ORT_INTRA_OP_THREADS: "1"
      LOCK_DURATION_MS: "4000"
      STALLED_INTERVAL_MS: "2000"
      LOG_LEVEL: info
`;
  const dc = (args: string[], timeoutMs = 120_000) =>
    run(compose.file, [...compose.prefix, '-p', PROJECT, '-f', 'docker-compose.yml', '-f', join(dir, 'override.yml'), ...args], { timeoutMs, env });
  // Short ids: a container's host name, which the worker's heartbeat carries.
  const workerContainers = async () => (await dc(['ps', '-q', 'worker'])).split('\n').map((s) => s.trim().slice(0, 12)).filter(Boolean);
  const status = async () => (await (await fetch(`${base}/v1/monitoring/status`, { signal: AbortSignal.timeout(10_000) })).json()) as { workers: WorkerStatus[] };
  const body = () => (random() < 0.3
    ? { model: 'text-orientation', request: { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: textLineImages(random, 1).map((v) => Math.round(v * 100) / 100) }] } }
    : { model: 'iris', request: { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: irisRows(random, 2) }] } });

  /** Submits `count` predictions from `clients` concurrent clients; `during` runs alongside, started after `startAfter` were accepted. */
  async function load(count: number, during?: { startAfter: number; action: () => Promise<void> }) {
    const accepted: string[] = [];
    const refused: number[] = [];
    let next = 0;
    const client = async () => {
      while (next < count) {
        next++;
        const { model, request } = body();
        const outcome = await submitRest(base, model, request);
        if (outcome.status === 202 && outcome.id) accepted.push(outcome.id);
        else refused.push(outcome.status);
      }
    };
    const action = during
      ? (async () => {
        await waitUntil(async () => accepted.length >= during.startAfter || next >= count, 120_000, `${during.startAfter} accepted predictions`);
        await during.action();
      })()
      : Promise.resolve();
    await Promise.all([client(), client(), client(), client(), action]);
    const finals = await Promise.all(accepted.map(async (id) => (await pollUntilFinal(() => base, id, Date.now() + 180_000))?.status));
    const completed = finals.filter((s) => s === 'completed').length;
    return { accepted: accepted.length, completed, refused, finals };
  }

  // Nothing of this test lives in this process but fetches to published ports, and an undici
  // socket waiting on docker-proxy does not hold the event loop open: without this timer node:test
  // sees an empty loop mid-wait and cancels the suite.
  let keepAlive: NodeJS.Timeout | undefined;

  before(async () => {
    keepAlive = setInterval(() => {}, 1_000);
    dir = mkdtempSync(join(tmpdir(), 'inferq-e2e-compose-'));
    writeFileSync(join(dir, 'override.yml'), override);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { INFERQ_API_PORT: String(port), COMPOSE_PROJECT_NAME: PROJECT };
    await dc(['down', '-v', '--timeout', '5']).catch(() => {}); // leftovers of an interrupted run
    await dc(['build'], 15 * 60_000);
    await dc(['up', '-d', '--scale', 'worker=3'], 5 * 60_000);
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`, { signal: AbortSignal.timeout(5_000) })).ok, 180_000, 'the API container to be ready', 1_000);
    await waitUntil(async () => (await status()).workers.length === 3, 180_000, 'three worker heartbeats', 1_000);
  }, { timeout: 25 * 60_000 });

  after(async () => {
    clearInterval(keepAlive);
    if (!dir) return;
    await dc(['down', '-v', '--timeout', '10'], 180_000).catch((error: Error) => console.log(`# compose down failed: ${error.message}`));
    rmSync(dir, { recursive: true, force: true });
  }, { timeout: 240_000 });

  it('runs batches on all three workers', { timeout: 5 * 60_000 }, async (t) => {
    const containers = await workerContainers();
    assert.equal(containers.length, 3, 'three worker containers');
    const batchesBy = async () => new Map((await status()).workers.map((w) => [w.host ?? w.id, (w.models ?? []).reduce((n, m) => n + m.batches, 0)]));
    // Waves of load until every worker's heartbeat shows a batch (bounded: at most 20 waves).
    let waves = 0;
    for (; waves < 20; waves++) {
      const { accepted, completed } = await load(60);
      assert.equal(completed, accepted, 'every accepted prediction completed');
      const batches = await batchesBy();
      // Heartbeats come every 5 s: wait for fresh counters before judging this wave.
      await waitUntil(async () => [...(await batchesBy()).values()].reduce((a, b) => a + b, 0) > [...batches.values()].reduce((a, b) => a + b, 0) || [...batches.values()].every((n) => n > 0), 15_000, 'fresh heartbeats', 500).catch(() => {});
      const now = await batchesBy();
      if (containers.every((c) => (now.get(c) ?? 0) > 0)) break;
    }
    const final = await batchesBy();
    t.diagnostic(`compose: ${[compose.file, ...compose.prefix].join(' ')} ${compose.version}`);
    t.diagnostic(`batches per worker container after ${waves + 1} wave(s): ${JSON.stringify(Object.fromEntries(final))}`);
    for (const c of containers) assert.ok((final.get(c) ?? 0) > 0, `worker container ${c} ran batches`);
  });

  it('loses nothing when one worker container is killed under load', { timeout: 8 * 60_000 }, async (t) => {
    const [victim] = await workerContainers();
    assert.ok(victim);
    const result = await load(400, { startAfter: 100, action: async () => { await run('docker', ['kill', victim], { timeoutMs: 30_000 }); } });
    t.diagnostic(`killed ${victim}: accepted ${result.accepted}, completed ${result.completed}, refused ${result.refused.length}`);
    assert.ok(result.accepted >= 300, `most submissions accepted (${result.accepted})`);
    assert.equal(result.completed, result.accepted, 'every accepted prediction completed');
  });

  it('drains gracefully when scaled down to one worker under load', { timeout: 8 * 60_000 }, async (t) => {
    // A killed container may have been restarted (restart: unless-stopped): start from three.
    await dc(['up', '-d', '--no-recreate', '--scale', 'worker=3'], 180_000);
    await waitUntil(async () => (await status()).workers.length >= 3, 120_000, 'three worker heartbeats', 1_000);
    const before = await workerContainers();
    // Follow every worker's log and exit code, so those compose stops (and removes) can be judged.
    const watched = before.map((id) => {
      let logs = '';
      const follower = spawn('docker', ['logs', '-f', id], { stdio: ['ignore', 'pipe', 'pipe'] });
      follower.stdout.on('data', (c: Buffer) => { logs = (logs + c.toString()).slice(-200_000); });
      follower.stderr.on('data', (c: Buffer) => { logs = (logs + c.toString()).slice(-200_000); });
      const exitCode = run('docker', ['wait', id], { timeoutMs: 7 * 60_000 }).then((s) => Number(s.trim()), () => undefined);
      return { id, logs: () => logs, exitCode, follower };
    });
    try {
      let stopped: typeof watched = [];
      const result = await load(300, {
        startAfter: 80,
        action: async () => {
          await dc(['up', '-d', '--no-recreate', '--timeout', '40', '--scale', 'worker=1'], 180_000);
          const remaining = new Set(await workerContainers());
          stopped = watched.filter((w) => !remaining.has(w.id));
        },
      });
      assert.equal(stopped.length, 2, 'two worker containers stopped');
      for (const w of stopped) {
        assert.equal(await w.exitCode, 0, `${w.id} exited 0 (graceful)`);
        const messages = w.logs().split('\n').flatMap((l) => {
          try { return [(JSON.parse(l) as { msg?: string }).msg]; } catch { return []; } // not a log line
        });
        assert.ok(messages.includes('worker stopped'), `${w.id} logged "worker stopped"`);
      }
      t.diagnostic(`scaled 3 → 1 (stopped ${stopped.map((w) => w.id).join(', ')}): accepted ${result.accepted}, completed ${result.completed}`);
      assert.equal(result.completed, result.accepted, 'every accepted prediction completed');
      assert.equal((await workerContainers()).length, 1);
    } finally {
      for (const w of watched) w.follower.kill();
    }
  });
});
