/**
 * `npm run demo:drift`: starts the whole stack (an embedded Redis, the API, one worker and the
 * monitor, each its own process, as `npm start` does), sends real Iris flowers, then the same
 * flowers with petal length + 1.5 cm, and prints when drift is flagged. Over several runs with
 * fixed seeds it measures, per detection rule, the false alarms on unshifted windows and the
 * windows until detection after the shift.
 *
 *   npm run demo:drift                                   # 10 runs × (40 unshifted + 4 shifted) windows of 50
 *   npm run demo:drift -- --runs 20 --unshifted 50 --shifted 3 --window 50 --seed 1
 *
 * Every window is sent whole and judged before the next one is sent, so the windows' contents,
 * and so the figures, depend only on the seeds. Between runs the monitor's state for iris v1
 * (open window, reports, alert cooldowns) is cleared in Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { redisKeys, type AlertEvent, type WindowReport } from '@inferq/contract';
import { createRedisConnection, freePort, startEmbeddedRedis, type EmbeddedRedis } from '@inferq/queue';
import { formatSummary, runDriftExperiment, DRIFT_RULES, type DriftRule } from './drift-experiment.js';
import { PETAL_LENGTH_SHIFT, type IrisFlower } from './iris-sampler.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function startApp(entry: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer) => { text = (text + chunk.toString()).slice(-20_000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => text };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const fmt = (v: number) => (v < 1e-3 ? v.toExponential(1) : v.toPrecision(3));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      unshifted: { type: 'string', default: '40' },
      shifted: { type: 'string', default: '4' },
      window: { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      persistence: { type: 'string', default: '2' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const unshiftedWindows = Number(values.unshifted);
  const shiftedWindows = Number(values.shifted);
  const windowSize = Number(values.window);
  const seed = Number(values.seed);
  for (const [name, value] of Object.entries({ runs, unshiftedWindows, shiftedWindows, windowSize, seed })) {
    if (!Number.isInteger(value) || value < (name === 'seed' || name === 'unshiftedWindows' ? 0 : 1)) throw new Error(`--${name} must be a positive integer`);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'inferq-demo-'));
  const apps: Array<{ child: ChildProcess; output: () => string }> = [];
  let redisServer: EmbeddedRedis | undefined;
  const redisUrl = process.env.REDIS_URL ?? (redisServer = await startEmbeddedRedis({ dir: dataDir })).url;
  const keyPrefix = `demo${Date.now().toString(36)}`;
  const keys = redisKeys(keyPrefix);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const shared = { REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix, MODEL_REPOSITORY: join(REPO_ROOT, 'models') };
  const redis = createRedisConnection(redisUrl, 'worker');
  try {
    console.log(`starting Redis (${redisUrl}), the API on ${base}, a worker and the monitor (WINDOW_SIZE=${windowSize}, DRIFT_PERSISTENCE=${values.persistence}) …`);
    apps.push(startApp('apps/api/src/main.ts', { ...shared, PORT: String(port), HOST: '127.0.0.1' }));
    apps.push(startApp('apps/worker/src/main.ts', { ...shared, MODELS: 'iris', DEVICE: 'cpu', ORT_INTRA_OP_THREADS: '1' }));
    apps.push(startApp('apps/monitor/src/main.ts', { ...shared, WINDOW_SIZE: String(windowSize), DRIFT_PERSISTENCE: String(values.persistence), MONITOR_ID: 'demo' }));
    for (const app of apps) app.child.once('exit', (code) => { if (code !== 0 && code !== null) console.error(`a process exited with ${code}:\n${app.output()}`); });
    await until('the API and worker to be ready', 60_000, async () => ((await fetch(`${base}/v2/health/ready`)).ok ? true : undefined), 200);
    await until('the monitor to start', 60_000, async () => (((await (await fetch(`${base}/v1/monitoring/status`)).json()) as { monitor: unknown }).monitor ? true : undefined), 200);
    console.log(`ready: dashboard at ${base}/dashboard\n`);

    let expectedWindow = 0;
    const started = Date.now();
    const { summary } = await runDriftExperiment({
      runs, unshiftedWindows, shiftedWindows, windowSize, seed, shift: PETAL_LENGTH_SHIFT,
      async reset() {
        await until('the last window', 30_000, async () => ((await redis.llen(keys.monitorWindow('predictions', 'iris', '1'))) === 0 ? true : undefined));
        const cooldowns = await redis.keys(`${keyPrefix}:alert-cooldown:iris:1:*`);
        await redis.del(keys.monitorWindow('predictions', 'iris', '1'), keys.monitorWindowMeta('predictions', 'iris', '1'), keys.monitorReports('iris', '1'), ...cooldowns);
        expectedWindow = 0;
      },
      async sendWindow(flowers: IrisFlower[]) {
        expectedWindow++;
        const answers = await Promise.all(flowers.map((f) => fetch(`${base}/v1/models/iris/predictions`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: f.features }] }),
        })));
        for (const a of answers) if (a.status !== 202) throw new Error(`submit answered ${a.status}: ${await a.text()}`);
        return until(`window ${expectedWindow}`, 30_000, async () => {
          const { reports } = (await (await fetch(`${base}/v1/models/iris/versions/1/drift?limit=1`)).json()) as { reports: WindowReport[] };
          return reports[0]?.window === expectedWindow ? reports[0] : undefined;
        });
      },
      onWindow(run, index, shifted, report) {
        const drifted = Object.entries(report.drift?.features ?? {}).filter(([, d]) => d.drifted);
        const flagged = (Object.keys(DRIFT_RULES) as DriftRule[]).filter((rule) => DRIFT_RULES[rule](report));
        if (values.quiet || (!shifted && flagged.length === 0)) return;
        const where = shifted ? `shifted window ${index - unshiftedWindows + 1}` : `unshifted window ${index + 1} (false alarm)`;
        const features = drifted.map(([name, d]) => `${name} ${d.method} p=${fmt(d.score)}${d.persistent ? ' (persistent)' : ''}`).join(', ') || 'no feature drifted';
        console.log(`run ${run + 1} (seed ${seed + run}) ${where}: ${features}; drift share ${report.drift?.share ?? 0}; flagged by ${flagged.join(', ') || 'nothing'}`);
      },
    });
    const alerts = ((await (await fetch(`${base}/v1/alerts?model=iris&limit=1000`)).json()) as { alerts: AlertEvent[] }).alerts;
    const byRule = new Map<string, number>();
    for (const a of alerts) byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
    console.log(`\n${runs} run(s) × (${unshiftedWindows} unshifted + ${shiftedWindows} shifted) windows of ${windowSize} predictions, seeds ${seed}…${seed + runs - 1}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`shift: petal length + 1.5 cm; reference: models/iris/1/reference.csv (120 training rows); DRIFT_PERSISTENCE=${values.persistence}\n`);
    console.log(formatSummary(summary, shiftedWindows));
    console.log(`\nalerts raised (GET /v1/alerts): ${[...byRule].map(([rule, n]) => `${rule} × ${n}`).join(', ') || 'none'}`);
    const goal = summary.rules.persistent_feature_drift;
    console.log(`goal (≤ 2 windows to detect, ≤ 1 % false alarms) with the persistence rule: ${goal.maxDelay !== null && goal.maxDelay <= 2 && goal.detectedRuns === runs && goal.falseAlarmRate <= 0.01 ? 'met' : 'NOT met'}`);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await Promise.all(apps.map((a) => stop(a.child)));
    await redisServer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`demo:drift failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
