/**
 * `npm run demo:rollout`: against a running stack (`npm start`), walks a new iris version through
 * a shadow period, a canary rollout to 100 %, then rolls out a faulty version and watches it being
 * rolled back automatically, printing what happens step by step (docs/rollouts.md).
 *
 *   npm run demo:rollout -- --url http://127.0.0.1:3000 [--api-key KEY] [--candidate 2] [--faulty 3]
 *                           [--step-seconds 5] [--min-samples 30] [--no-register] [--ready-seconds 60]
 *
 * The stack must serve iris version 1 (the bundled repository). The candidate (models-staged/iris/2)
 * and the faulty version (models-staged/iris-faulty, from `npm run models:iris-faulty`) are
 * registered by upload through model control when `GET /v1/models/iris` does not list them, loaded
 * again when they were unloaded, and awaited until READY (`--ready-seconds`); `--no-register`
 * instead requires the stack to serve them already (e.g. from its MODEL_REPOSITORY). Traffic is unpinned
 * (`POST /v1/models/iris/predictions`), so the traffic policy decides which version serves each
 * request. `--api-key`: a key with the `admin` scope when access control is on.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureVersion } from './demo-ensure-version.js';
import { irisSampler } from './iris-sampler.js';
import { mulberry32 } from '@inferq/monitoring';

interface RolloutView {
  id: string; status: string; step: number; weight: number; reason?: string;
  history: Array<{ event: string; weight: number; figures?: { samples: number; errorRate: number; latencyP95Ms: number; pairs: number; agreement?: number }; gate?: { name: string; value: number; limit: number } }>;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    'api-key': { type: 'string' },
    candidate: { type: 'string', default: '2' },
    faulty: { type: 'string', default: '3' },
    'step-seconds': { type: 'string', default: '5' },
    'min-samples': { type: 'string', default: '30' },
    'no-register': { type: 'boolean', default: false },
    'ready-seconds': { type: 'string', default: '60' },
  },
});
const base = values.url.replace(/\/$/, '');
const headers: Record<string, string> = values['api-key'] ? { authorization: `Bearer ${values['api-key']}` } : {};
const candidate = Number(values.candidate);
const faulty = Number(values.faulty);
const stepSeconds = Number(values['step-seconds']);
const minSamples = Number(values['min-samples']);
const readySeconds = Number(values['ready-seconds']);
/** What the candidate and the faulty version are registered from when the stack lacks them. */
const STAGED = { candidate: fileURLToPath(new URL('../../../models-staged/iris/2', import.meta.url)), faulty: fileURLToPath(new URL('../../../models-staged/iris-faulty', import.meta.url)) };
const started = Date.now();
const say = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${text}`);

async function call<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<{ status: number; body: T; etag?: string }> {
  // A JSON content type only with a body: the API refuses an empty JSON body (INVALID_JSON).
  const json: Record<string, string> = body !== undefined ? { 'content-type': 'application/json' } : {};
  const response = await fetch(`${base}${path}`, { method, headers: { ...headers, ...json, ...extra }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const etag = response.headers.get('etag') ?? undefined;
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, ...(etag ? { etag } : {}) };
}

/** Background traffic: unpinned iris predictions, each awaited to its end; counts per serving version. */
function startTraffic(concurrency = 4) {
  const sample = irisSampler(mulberry32(7));
  const counts = { submitted: 0, ended: 0, failed: 0, byVersion: new Map<string, number>() };
  let stop = false;
  const loop = async () => {
    while (!stop) {
      try {
        const accepted = await call<{ id: string }>('POST', '/v1/models/iris/predictions', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: sample().features }] });
        if (accepted.status !== 202) { await new Promise((r) => setTimeout(r, 200)); continue; }
        counts.submitted++;
        for (let i = 0; i < 10; i++) {
          const record = await call<{ status: string; version: string }>('GET', `/v1/predictions/${accepted.body.id}?wait=5000`);
          if (['completed', 'failed', 'expired'].includes(record.body.status)) {
            counts.ended++;
            if (record.body.status !== 'completed') counts.failed++;
            counts.byVersion.set(record.body.version, (counts.byVersion.get(record.body.version) ?? 0) + 1);
            break;
          }
        }
      } catch (error) {
        say(`traffic error: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const running = Promise.all(Array.from({ length: concurrency }, loop));
  return { counts, stop: async () => { stop = true; await running; } };
}

async function putTraffic(policy: unknown, reason: string): Promise<void> {
  const current = await call<{ revision?: number }>('GET', '/v1/models/iris/traffic');
  const revision = current.body?.revision ?? 0;
  const answer = await call('PUT', '/v1/models/iris/traffic', { ...(policy as object), reason }, { 'if-match': `"${revision}"` });
  if (answer.status >= 300) throw new Error(`PUT traffic answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

async function follow(id: string): Promise<RolloutView> {
  let last = '';
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    const { body } = await call<RolloutView>('GET', `/v1/models/iris/rollouts/${id}`);
    const line = `rollout ${body.status}: step ${body.step}, candidate weight ${body.weight} %${body.reason ? ` (${body.reason})` : ''}`;
    if (line !== last) {
      say(line);
      const judged = [...body.history].reverse().find((e) => e.figures);
      if (judged?.figures) {
        const f = judged.figures;
        say(`    last judged figures: ${f.samples} predictions, error rate ${f.errorRate.toFixed(3)}, p95 ${f.latencyP95Ms.toFixed(1)} ms, ${f.pairs} pairs${f.agreement !== undefined ? `, agreement ${f.agreement.toFixed(3)}` : ''}`);
      }
      last = line;
    }
    if (['succeeded', 'rolled_back', 'aborted'].includes(body.status)) return body;
    if (body.status === 'waiting_approval') {
      say('approving the next step (a person in the loop would decide here)');
      const approved = await call<{ error?: { message: string } }>('POST', `/v1/models/iris/rollouts/${id}/approve`);
      if (approved.status !== 200) throw new Error(`approve answered ${approved.status}: ${approved.body.error?.message ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('rollout did not end within 15 minutes');
}

async function main(): Promise<void> {
  for (const name of ['candidate', 'faulty', 'step-seconds', 'min-samples', 'ready-seconds'] as const) {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer (got ${JSON.stringify(values[name])})`);
  }
  if (candidate === faulty || candidate === 1 || faulty === 1) throw new Error('--candidate and --faulty must differ from each other and from 1');
  const ensure = { base, headers, call, say, readyTimeoutMs: readySeconds * 1000 };
  const register = !values['no-register'];
  say(`0. the versions: 1 (bundled), the candidate and the faulty one (${register ? 'registered by upload when missing' : 'served already: --no-register'})`);
  await ensureVersion(ensure, 'iris', '1');
  await ensureVersion({ ...ensure, ...(register ? { stagedDir: STAGED.candidate } : {}) }, 'iris', String(candidate));
  await ensureVersion({ ...ensure, ...(register ? { stagedDir: STAGED.faulty } : {}) }, 'iris', String(faulty));
  const traffic = startTraffic();
  try {
    say(`1. shadow period: version 1 serves everything, every request is mirrored to version ${candidate}`);
    await putTraffic({ routes: [{ version: 1, weight: 100 }], shadow: { version: candidate, percent: 100 } }, 'demo: shadow period');
    await new Promise((r) => setTimeout(r, stepSeconds * 1000));
    const comparison = await call<Record<string, unknown>>('GET', `/v1/models/iris/versions/${candidate}/comparison`);
    say(`   comparison of ${candidate} with 1: ${JSON.stringify(comparison.body)}`);

    say(`2. canary: version ${candidate} through 10 → 50 → 100 %, ${stepSeconds} s per step, 50 % needs approval`);
    const gates = { maxErrorRate: 0.01, maxLatencyP95Ms: 2_000, minAgreement: 0.9, minSamples };
    const healthy = await call<RolloutView>('POST', '/v1/models/iris/rollouts', { version: candidate, steps: [10, 50, 100], stepSeconds, gates, approval: [50] });
    if (healthy.status !== 201) throw new Error(`rollout refused: ${JSON.stringify(healthy.body)}`);
    const promoted = await follow(healthy.body.id);
    say(`   → ${promoted.status}; served so far by version: ${JSON.stringify(Object.fromEntries(traffic.counts.byVersion))}`);

    say(`3. a faulty version (${faulty}): wrong on versicolor/virginica, fails on sepal_length > 7`);
    const before = await call<{ revision: number; routes: unknown }>('GET', '/v1/models/iris/traffic');
    const bad = await call<RolloutView>('POST', '/v1/models/iris/rollouts', { version: faulty, steps: [10, 50, 100], stepSeconds, gates });
    if (bad.status !== 201) throw new Error(`rollout refused: ${JSON.stringify(bad.body)}`);
    const rolledBack = await follow(bad.body.id);
    const gate = rolledBack.history.at(-1)?.gate;
    say(`   → ${rolledBack.status}${gate ? `: gate ${gate.name} = ${gate.value.toFixed(3)} against ${gate.limit}` : ''}`);
    const after = await call<{ revision: number; routes: unknown }>('GET', '/v1/models/iris/traffic');
    say(`   traffic before: ${JSON.stringify(before.body.routes)} (revision ${before.body.revision}); after: ${JSON.stringify(after.body.routes)} (revision ${after.body.revision})`);
    const alerts = await call<{ alerts: Array<{ rule: string; message: string }> }>('GET', '/v1/alerts?limit=5');
    const alert = alerts.body.alerts?.find((a) => a.rule.startsWith('rollout_rolled_back'));
    if (alert) say(`   alert: ${alert.rule}: ${alert.message}`);
  } finally {
    await traffic.stop();
  }
  const { submitted, ended, failed } = traffic.counts;
  say(`done: ${submitted} predictions accepted, ${ended} ended (${failed} failed, on the faulty version while it had traffic): none lost: ${submitted === ended}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
