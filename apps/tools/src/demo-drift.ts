/**
 * `npm run demo:drift`: starts the whole stack (an embedded Redis, the API, one worker and the
 * monitor, each its own process, as `npm start` does), sends real Iris flowers, then the same
 * flowers with petal length + 1.5 cm, and prints when drift is flagged. Over several runs with
 * fixed seeds it measures, per detection rule, the false alarms on unshifted windows and the
 * windows until detection after the shift.
 *
 *   npm run demo:drift                                   # 10 runs × (40 unshifted + 4 shifted) windows of 50
 *   npm run demo:drift -- --runs 20 --unshifted 50 --shifted 3 --window 50 --seed 1
 *   npm run demo:drift -- --url http://127.0.0.1:3000 [--api-key KEY]   # drive a running stack
 *
 * Every window is sent whole and judged before the next one is sent, so the windows' contents,
 * and so the figures, depend only on the seeds. Between runs the monitor's state for iris v1
 * (open window, reports, alert cooldowns) is cleared in Redis.
 *
 * With `--url` it starts nothing and drives the stack already running there (`npm start`), over
 * HTTP only, so its dashboard shows the drift and keeps it after the demo ends: one run of 4
 * unshifted then 4 shifted windows by default, in that monitor's WINDOW_SIZE (read from
 * `/v1/monitoring/status`); a window already partly filled by other traffic is first topped up
 * with unshifted flowers. Nothing is cleared, so earlier windows and alert cooldowns of that stack
 * count (the figures are a demonstration, not the measurement above). `--api-key` (a key with
 * the `predict` and `read` scopes) when access control is on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { redisKeys, type AlertEvent, type WindowReport } from '@inferq/contract';
import { createRedisConnection, freePort, startEmbeddedRedis, type EmbeddedRedis } from '@inferq/redis';
import { formatSummary, runDriftExperiment, DRIFT_RULES, type DriftRule } from './drift-experiment.js';
import { mulberry32 } from '@inferq/monitoring';
import { irisSampler, PETAL_LENGTH_SHIFT, type IrisFlower } from './iris-sampler.js';

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

/** What `/v1/monitoring/status` says of the monitor and of iris v1 (the parts the demo needs). */
interface StackStatus {
  monitor: { windowSize: number; windowMs: number } | null;
  monitorHealth?: { state: string };
  models: Array<{ name: string; versions: Array<{ version: string; window?: { rows: number; closed: number } | null }> }>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      unshifted: { type: 'string' },
      shifted: { type: 'string', default: '4' },
      window: { type: 'string' },
      seed: { type: 'string', default: '1' },
      persistence: { type: 'string', default: '2' },
      quiet: { type: 'boolean', default: false },
      url: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
  if (values.url !== undefined) {
    await driveRunningStack(values);
    return;
  }
  const runs = Number(values.runs ?? '10');
  const unshiftedWindows = Number(values.unshifted ?? '40');
  const shiftedWindows = Number(values.shifted);
  const windowSize = Number(values.window ?? '50');
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
    apps.push(startApp('apps/monitor/src/main.ts', { ...shared, WINDOW_SIZE: String(windowSize), DRIFT_PERSISTENCE: String(values.persistence), MONITOR_ID: 'demo',
      // The demo sends a window and waits for its report: a sampled prediction would leave the window open.
      MONITOR_MAX_WINDOWS_PER_SECOND: '0' }));
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

/** Options of `--url` mode (as parseArgs gives them). */
interface UrlOptions {
  url?: string | undefined;
  'api-key'?: string | undefined;
  runs?: string | undefined;
  unshifted?: string | undefined;
  shifted?: string | undefined;
  window?: string | undefined;
  seed?: string | undefined;
  quiet?: boolean | undefined;
}

/** `--url`: sends the demo's windows to a stack that is already running, over HTTP only. */
async function driveRunningStack(values: UrlOptions): Promise<void> {
  let base: string;
  try {
    const url = new URL(values.url!);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    base = url.origin;
  } catch {
    throw new Error(`--url "${values.url}" is not an http(s) URL such as http://127.0.0.1:3000`);
  }
  const headers: Record<string, string> = values['api-key'] ? { authorization: `Bearer ${values['api-key']}` } : {};
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${base}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    const text = await response.text();
    if (response.status === 401 || response.status === 403) throw new Error(`${path} answered ${response.status}: access control is on; pass --api-key with the predict and read scopes`);
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const status = async () => call<StackStatus>('/v1/monitoring/status');
  const first = await status().catch((error: Error) => {
    throw new Error(`no inferq API answers at ${base} (${error.message}); start one with \`npm start\``);
  });
  if (!first.monitor || (first.monitorHealth && first.monitorHealth.state !== 'up')) {
    throw new Error(`no monitor is running for the stack at ${base} (monitor ${first.monitorHealth?.state ?? 'unknown'}): start it with \`npm start\` (MONITOR=true) or \`npm run start:monitor\``);
  }
  const windowSize = first.monitor.windowSize;
  if (!(windowSize > 0)) throw new Error(`the monitor at ${base} closes windows by time only (WINDOW_SIZE=0); the demo needs WINDOW_SIZE > 0`);
  if (values.window !== undefined && Number(values.window) !== windowSize) {
    throw new Error(`--window ${values.window} differs from the running monitor's WINDOW_SIZE=${windowSize}; leave --window out with --url`);
  }
  if (first.monitor.windowMs > 0) console.warn(`note: the monitor also closes windows after WINDOW_MS=${first.monitor.windowMs} ms; send fast enough or windows close early`);
  const runs = Number(values.runs ?? '1');
  const unshiftedWindows = Number(values.unshifted ?? '4');
  const shiftedWindows = Number(values.shifted ?? '4');
  const seed = Number(values.seed ?? '1');
  for (const [name, value] of Object.entries({ runs, unshiftedWindows, shiftedWindows, seed })) {
    if (!Number.isInteger(value) || value < (name === 'seed' || name === 'unshiftedWindows' ? 0 : 1)) throw new Error(`--${name} must be a positive integer`);
  }
  const irisWindow = async () => (await status()).models.find((m) => m.name === 'iris')?.versions.find((v) => v.version === '1')?.window ?? { rows: 0, closed: 0 };
  const latestReport = async () => (await call<{ reports: WindowReport[] }>('/v1/models/iris/versions/1/drift?limit=1')).reports[0];
  const submit = async (flowers: IrisFlower[]) => {
    await Promise.all(flowers.map((f) => call('/v1/models/iris/predictions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: f.features }] }),
    })));
  };
  const reportOf = (window: number) => until(`window ${window} of iris v1`, 60_000, async () => {
    const report = await latestReport();
    return report !== undefined && report.window >= window ? report : undefined;
  }, 100);

  console.log(`driving the running stack at ${base} (WINDOW_SIZE=${windowSize}): ${runs} run(s) × (${unshiftedWindows} unshifted + ${shiftedWindows} shifted) windows of iris v1\n`);
  let expectedWindow = 0;
  // Monitors older than MONITOR_MAX_WINDOWS_PER_SECOND publish no cap (they never sample).
  const cap = (first.monitor as { maxWindowsPerSecond?: number }).maxWindowsPerSecond ?? 0;
  const spacingMs = cap > 0 ? 2_000 / cap : 0;
  let lastSent = 0;
  const started = Date.now();
  const { summary } = await runDriftExperiment({
    runs, unshiftedWindows, shiftedWindows, windowSize, seed, shift: PETAL_LENGTH_SHIFT,
    async reset() {
      // A window partly filled by other traffic: top it up with unshifted flowers so ours start whole.
      const open = await irisWindow();
      if (open.rows > 0) {
        const sample = irisSampler(mulberry32(seed + 10_000));
        await submit(Array.from({ length: windowSize - (open.rows % windowSize) }, () => sample()));
        await reportOf(open.closed + 1);
      }
      expectedWindow = (await irisWindow()).closed;
    },
    async sendWindow(flowers: IrisFlower[]) {
      expectedWindow++;
      // Stay under half the monitor's window rate cap: above it, it samples the predictions it puts in
      // windows, and a window the demo waits for would never fill.
      const wait = lastSent + spacingMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastSent = Date.now();
      await submit(flowers);
      return reportOf(expectedWindow);
    },
    onWindow(run, index, shifted, report) {
      if (values.quiet) return;
      const drifted = Object.entries(report.drift?.features ?? {}).filter(([, d]) => d.drifted);
      const flagged = (Object.keys(DRIFT_RULES) as DriftRule[]).filter((rule) => DRIFT_RULES[rule](report));
      const features = drifted.map(([name, d]) => `${name} ${d.method} p=${fmt(d.score)}${d.persistent ? ' (persistent)' : ''}`).join(', ') || 'no feature drifted';
      console.log(`window ${report.window} (${shifted ? 'shifted' : 'unshifted'}): ${features}; drift share ${report.drift?.share ?? 0}; flagged by ${flagged.join(', ') || 'nothing'}`);
    },
  });
  console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s; shift: petal length + 1.5 cm\n`);
  console.log(formatSummary(summary, shiftedWindows));
  console.log(`\nthe stack keeps running: open ${base}/dashboard#${encodeURIComponent('iris/1')} to see the drift`);
}

main().catch((error: Error) => {
  console.error(`demo:drift failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
