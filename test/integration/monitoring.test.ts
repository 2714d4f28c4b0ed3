/**
 * Monitoring end to end on a real Redis, BullMQ, onnxruntime and monitor processes' code in
 * process: the prediction log (summaries, export as JSON Lines, cursor, sampling off), feedback
 * and rolling accuracy, reference uploads, window reports / series / alerts over HTTP, the alert
 * webhook with dedupe, two monitors sharing the log through the consumer group, the monitoring
 * gauges on /metrics, and `npm run export:log`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { redisKeys, type AlertEvent, type ExportedPredictionLogEntry, type WindowReport } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { createRedisConnection } from '@inferq/redis';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';
import { startMonitorApp, type AccuracyWindow, type MonitorApp } from '../../apps/monitor/src/monitor-app.js';
import { irisSampler } from '../helpers/iris-data.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, seededRandom } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WINDOW_SIZE = 10;

const irisBody = (rows: number[][]) => ({ inputs: [{ name: 'features', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }] });

/** Resolves with the first event `subscribe` delivers that passes `match`, or rejects after `timeoutMs`. */
function first<T>(subscribe: (listener: (value: T) => void) => () => void, match: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`no matching event within ${timeoutMs} ms`)); }, timeoutMs);
    const stop = subscribe((value) => {
      if (match(value)) { clearTimeout(timer); stop(); resolve(value); }
    });
  });
}

/** Resolves with the next `count` events `subscribe` delivers, or rejects after `timeoutMs`. */
function next<T>(subscribe: (listener: (value: T) => void) => () => void, count: number, timeoutMs = 20_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const seen: T[] = [];
    const timer = setTimeout(() => { stop(); reject(new Error(`only ${seen.length} of ${count} events within ${timeoutMs} ms`)); }, timeoutMs);
    const stop = subscribe((value) => {
      seen.push(value);
      if (seen.length === count) { clearTimeout(timer); stop(); resolve(seen); }
    });
  });
}

describe('monitoring (real stack, two monitors)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let monitors: MonitorApp[];
  let webhook: Server;
  const received: AlertEvent[] = [];
  const ids: string[] = [];
  const sent: number[][] = [];

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => stack.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const get = (url: string) => stack.app.inject({ method: 'GET', url });
  const allWindows = (count: number) => next<WindowReport>((listener) => {
    const stops = monitors.map((m) => m.onWindow(listener));
    return () => stops.forEach((s) => s());
  }, count);

  before(async () => {
    redis = await startTestRedis();
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => { received.push(JSON.parse(body) as AlertEvent); res.writeHead(204).end(); });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    stack = await startInProcessStack(redis.url);
    const env = {
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, WINDOW_SIZE: String(WINDOW_SIZE),
      FEEDBACK_WINDOW_SIZE: '4', ACCURACY_THRESHOLD: '0.9', LATENCY_P95_THRESHOLD_MS: '0.001',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`, ALERT_COOLDOWN_MS: '600000',
    };
    monitors = [
      await startMonitorApp(loadMonitorConfig({ ...env, MONITOR_ID: 'a' }), createLogger('monitor', 'silent')),
      await startMonitorApp(loadMonitorConfig({ ...env, MONITOR_ID: 'b' }), createLogger('monitor', 'silent')),
    ];
    // 3 windows of iris traffic: 26 one-row predictions and two of two rows.
    const sample = irisSampler(seededRandom(11));
    const windows = allWindows(3);
    for (let i = 0; i < 28; i++) {
      const rows = i % 14 === 13 ? [sample().features, sample().features] : [sample().features];
      sent.push(...rows);
      const response = await post('/v1/models/iris/predictions', irisBody(rows));
      assert.equal(response.statusCode, 202, response.body);
      ids.push(response.json().id);
      await get(`/v1/predictions/${ids.at(-1)}?wait=10000`); // one at a time: the log keeps this order
    }
    await windows;
  });
  after(async () => {
    for (const m of monitors ?? []) await m.close();
    await stack?.close();
    await new Promise((r) => webhook?.close(r));
    await redis?.dispose();
  });

  it('logs every prediction with its inputs per row and its outputs, and exports them as JSON Lines', async () => {
    const response = await get('/v1/predictions/log?model=iris');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
    const entries = response.body.trim().split('\n').map((l) => JSON.parse(l) as ExportedPredictionLogEntry);
    assert.deepEqual(entries.map((e) => e.id), ids);
    const direct = await DirectModel.load('iris');
    let row = 0;
    for (const entry of entries) {
      const input = entry.inputs.features;
      assert.ok(input?.kind === 'tabular');
      assert.deepEqual(input.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
      const rows = sent.slice(row, row + entry.rows);
      row += entry.rows;
      assert.deepEqual(input.rows, rows);
      const expected = await direct.run('features', rows.flat(), [rows.length, 4]);
      assert.deepEqual(entry.outputs?.classes, expected.label);
      entry.outputs?.confidence?.forEach((c, r) => assert.ok(Math.abs(c! - Math.max(...expected.probabilities!.slice(r * 3, r * 3 + 3))) < 1e-6));
      assert.deepEqual(entry.outputs?.labels, expected.label!.map((l) => ['setosa', 'versicolor', 'virginica'][l]));
      assert.equal(entry.status, 'completed');
      assert.equal(entry.sampleRate, 1);
      assert.ok(entry.timings.totalMs! >= 0 && entry.timings.batchSize! >= entry.rows);
      assert.match(entry.logId, /^\d+-\d+:\d+$/); // one entry per worker batch: <stream id>:<index>
    }
    assert.equal(row, sent.length);
  });

  it('export pages with a logId cursor, a time, a limit and a version filter; bad cursors are 400', async () => {
    const all = (await get('/v1/predictions/log')).body.trim().split('\n').map((l) => JSON.parse(l) as ExportedPredictionLogEntry);
    const page = (await get(`/v1/predictions/log?since=${all[4]!.logId}&limit=3`)).body.trim().split('\n').map((l) => JSON.parse(l) as ExportedPredictionLogEntry);
    assert.deepEqual(page.map((e) => e.logId), all.slice(5, 8).map((e) => e.logId));
    const byTime = (await get(`/v1/predictions/log?since=${new Date(Number(all[10]!.logId.split('-')[0])).toISOString()}`)).body.trim().split('\n');
    assert.ok(byTime.length <= all.length - 10 + 5 && byTime.length >= all.length - 10, `${byTime.length}`);
    assert.equal((await get('/v1/predictions/log?model=iris&version=2')).body, '');
    const bad = await get('/v1/predictions/log?since=yesterday');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_REQUEST');
  });

  it('the two monitors share the windows: each is closed once, numbered 1, 2, 3, with every row', async () => {
    const connection = createRedisConnection(redis.url, 'worker');
    const consumers = (await connection.xinfo('CONSUMERS', redisKeys(stack.keyPrefix).predictionLog, 'monitor')) as unknown[][];
    await connection.quit();
    assert.equal(consumers.length, 2, 'both monitors read through the consumer group');
    const { reports } = (await get('/v1/models/iris/versions/1/drift?limit=10')).json() as { reports: WindowReport[] };
    assert.deepEqual(reports.map((r) => r.window), [3, 2, 1]);
    assert.equal(reports.reduce((n, r) => n + r.rows, 0), 30);
    assert.ok(reports.every((r) => r.rows >= WINDOW_SIZE && r.rows <= WINDOW_SIZE + 1));
    const report = reports[0]!;
    assert.deepEqual(Object.keys(report.features).sort(), ['petal_length', 'petal_width', 'sepal_length', 'sepal_width']);
    for (const f of Object.values(report.features)) {
      assert.equal(f.count, report.rows);
      assert.ok(f.histogram && f.histogram.edges.length === f.histogram.reference.length + 1);
      assert.equal(f.histogram.current.reduce((a, b) => a + b, 0) + f.histogram.below + f.histogram.above, f.count);
    }
    assert.equal(Object.values(report.outputs.classCounts).reduce((a, b) => a + b, 0), report.rows);
    assert.ok(report.outputs.meanConfidence! > 0.3 && report.outputs.meanConfidence! <= 1);
    assert.equal(report.drift?.reference.source, 'file');
    assert.equal(report.drift?.reference.rows, 120);
    assert.deepEqual(Object.values(report.drift!.features).map((d) => d.method), ['ks', 'ks', 'ks', 'ks']);
    assert.equal(report.drift?.prediction?.method, 'chi-squared');
  });

  it('stores one point per window in each series, readable by name', async () => {
    const answer = (await get('/v1/models/iris/versions/1/series?name=rows,latency_p95,drift:petal_length')).json();
    assert.ok(answer.names.includes('class_share:setosa') && answer.names.includes('feature_mean:sepal_length'));
    assert.deepEqual(answer.series.rows.map((p: { window: number }) => p.window), [1, 2, 3]);
    assert.equal(answer.series['drift:petal_length'].length, 3);
    const since = answer.series.rows[1].t;
    assert.deepEqual((await get(`/v1/models/iris/versions/1/series?name=rows&since=${since}`)).json().series.rows.map((p: { window: number }) => p.window), [3]);
    assert.equal((await get('/v1/models/tulip/versions/1/series?name=rows')).statusCode, 404);
  });

  it('raises an alert once per cooldown, keeps it in the history and POSTs it to the webhook', async () => {
    for (const m of monitors) await m.close(); // flushes webhook deliveries
    const latency = received.filter((a) => a.rule === 'latency_p95_above');
    assert.equal(latency.length, 1, JSON.stringify(received));
    assert.deepEqual(Object.keys(latency[0]!).sort(), ['at', 'message', 'model', 'rule', 'threshold', 'value', 'version', 'window']);
    assert.deepEqual({ ...latency[0], at: 0, value: 0, message: '' }, { model: 'iris', version: '1', rule: 'latency_p95_above', threshold: 0.001, window: latency[0]!.window, at: 0, value: 0, message: '' });
    const history = (await get('/v1/alerts?model=iris')).json().alerts as AlertEvent[];
    assert.deepEqual(history.filter((a) => a.rule === 'latency_p95_above').length, 1);
    const suppressed = monitors.reduce((n, m) => n + m.alertCounters.suppressed, 0);
    assert.ok(suppressed >= 2, `later windows were within the cooldown (${suppressed} suppressed)`);
    assert.deepEqual((await get('/v1/alerts?model=text-orientation')).json().alerts, []);
    // Restart the monitors for the tests below.
    const env = loadMonitorConfig({ REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, WINDOW_SIZE: String(WINDOW_SIZE), FEEDBACK_WINDOW_SIZE: '4', ACCURACY_THRESHOLD: '0.9', MONITOR_ID: 'a' });
    monitors = [await startMonitorApp(env, createLogger('monitor', 'silent'))];
  });

  it('records feedback once per prediction and computes a rolling accuracy over the last labels, alerting below the threshold', async () => {
    const labelOf = async (id: string) => (await get(`/v1/predictions/${id}`)).json().result.outputs.find((o: { name: string }) => o.name === 'label').data as number[];
    const updates: AccuracyWindow[] = [];
    const stopRecording = monitors[0]!.onAccuracy((w) => updates.push(w));
    const accuracy = first<AccuracyWindow>((l) => monitors[0]!.onAccuracy(l), (w) => w.window === 4);
    // 4 labels: 2 right, 2 wrong → 50 % < 90 %.
    const [a, b, c] = [await labelOf(ids[0]!), await labelOf(ids[1]!), await labelOf(ids[2]!)];
    const names = ['setosa', 'versicolor', 'virginica'];
    let response = await post(`/v1/predictions/${ids[0]}/feedback`, { label: names[a[0]!] });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(response.json().correct, [true]);
    response = await post(`/v1/predictions/${ids[1]}/feedback`, { label: (b[0]! + 1) % 3 });
    assert.deepEqual(response.json().correct, [false]);
    assert.equal((await post(`/v1/predictions/${ids[0]}/feedback`, { label: 0 })).json().error.code, 'FEEDBACK_CONFLICT');
    const twoRows = ids[13]!;
    const t = await labelOf(twoRows);
    assert.equal((await post(`/v1/predictions/${twoRows}/feedback`, { label: t[0] })).json().error.code, 'INVALID_FEEDBACK', 'one label for two rows');
    response = await post(`/v1/predictions/${twoRows}/feedback`, { label: [t[0], (t[1]! + 1) % 3] });
    assert.deepEqual(response.json().correct, [true, false]);
    for (const label of ['lily', 3, -1, 1.5, null]) {
      const bad = await post(`/v1/predictions/${ids[2]}/feedback`, { label });
      assert.equal(bad.statusCode, 400, `${JSON.stringify(label)}: ${bad.body}`);
    }
    assert.equal((await post('/v1/predictions/AAAAAAAAAAAAAAAAAAAAAA/feedback', { label: 0 })).statusCode, 404);
    assert.equal((await post(`/v1/predictions/${ids[2]}/feedback`, {})).statusCode, 400);
    assert.ok(c.length === 1);
    const window = await accuracy;
    assert.deepEqual({ labels: window.labels, accuracy: window.accuracy }, { labels: 4, accuracy: 0.5 });
    // Every update is published at once (no label waits for a block to fill), each over the labels so far.
    assert.ok(updates.length >= 1 && updates.every((u) => u.labels === Math.min(4, u.window)), JSON.stringify(updates));
    // A fifth label moves the window at once: the oldest (right) label drops out, the new one is right.
    const fifth = first<AccuracyWindow>((l) => monitors[0]!.onAccuracy(l), (w) => w.window === 5);
    assert.equal((await post(`/v1/predictions/${ids[2]}/feedback`, { label: c[0] })).statusCode, 201);
    assert.deepEqual(await fifth, { model: 'iris', version: '1', window: 5, labels: 4, accuracy: 0.5 });
    stopRecording();
    const series = (await get('/v1/models/iris/versions/1/series?name=accuracy')).json().series.accuracy as Array<{ v: number; window: number }>;
    assert.deepEqual(series.at(-1), { ...series.at(-1), v: 0.5, window: 5 });
    assert.deepEqual(series.map((p) => p.window), updates.map((u) => u.window), 'one point per update');
    const alerts = (await get('/v1/alerts?model=iris&version=1')).json().alerts as AlertEvent[];
    assert.deepEqual(alerts.filter((x) => x.rule === 'accuracy_below').map((x) => [x.value, x.threshold]), [[0.5, 0.9]]);
  });

  it('drift is measured against an uploaded reference; bad uploads are refused', async () => {
    const csv = ['sepal_length,sepal_width,petal_length,petal_width,label', ...Array.from({ length: 40 }, (_, i) => `${5 + (i % 7) / 10},3.${i % 5},${1 + (i % 9) / 10},0.${1 + (i % 4)},0`)].join('\n');
    const put = await stack.app.inject({ method: 'PUT', url: '/v1/models/iris/versions/1/reference', payload: csv, headers: { 'content-type': 'text/csv' } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual({ ...(put.json() as object), uploadedAt: 0 }, { model: 'iris', version: '1', rows: 40, columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'label'], uploadedAt: 0 });
    for (const [body, type] of [['a,b\n1,2', 'text/csv'], ['sepal_length,sepal_width,petal_length,petal_width\n', 'text/csv'], ['sepal_length,sepal_width,petal_length,petal_width\n1,2,x,4', 'text/csv']]) {
      const bad = await stack.app.inject({ method: 'PUT', url: '/v1/models/iris/versions/1/reference', payload: body, headers: { 'content-type': type! } });
      assert.equal(bad.json().error.code, 'INVALID_REFERENCE', body);
    }
    assert.equal((await stack.app.inject({ method: 'PUT', url: '/v1/models/iris/versions/1/reference', payload: { a: 1 } })).json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal((await post('/v1/models/iris/predictions', 'a,b', { 'content-type': 'text/csv' })).statusCode, 415, 'CSV is accepted on the reference route only');
    // A window against the (setosa-only) upload: every iris feature but sepal width drifts.
    const window = next<WindowReport>((l) => monitors[0]!.onWindow(l), 1);
    const sample = irisSampler(seededRandom(12));
    for (let i = 0; i < WINDOW_SIZE; i++) assert.equal((await post('/v1/models/iris/predictions', irisBody([sample().features]))).statusCode, 202);
    const [report] = await window;
    assert.equal(report!.drift?.reference.source, 'upload');
    assert.equal(report!.drift?.reference.rows, 40);
    assert.ok(report!.drift!.datasetDrift, JSON.stringify(report!.drift));
  });

  it('publishes the monitoring gauges on /metrics', async () => {
    const text = (await get('/metrics')).body;
    assert.match(text, /^inferq_workers_live 1$/m);
    assert.match(text, /^inferq_worker_resident_memory_bytes\{worker="w0-[^"]+",device="cpu"\} \d+/m);
    assert.match(text, /^inferq_monitor_window\{model="iris",version="1"\} 4$/m);
    assert.match(text, /^inferq_monitor_feature_mean\{model="iris",version="1",feature="petal_length"\} [\d.]+$/m);
    assert.match(text, /^inferq_monitor_dataset_drift\{model="iris",version="1"\} 1$/m);
    assert.match(text, /^inferq_monitor_accuracy\{model="iris",version="1"\} 0\.5$/m);
    // Every metric the Grafana dashboard queries is one /metrics exposes.
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\binferq_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))));
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
    assert.ok(queried.size > 15);
    for (const name of queried) assert.ok(exposed.has(name), `${name} (docs/grafana-dashboard.json) is not on /metrics`);
    const status = (await get('/v1/monitoring/status')).json();
    assert.equal(status.workers.length, 1);
    assert.equal(status.monitor.windowSize, WINDOW_SIZE);
  });

  it('npm run export:log writes the log to a file (from Redis, and through the API)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferq-export-'));
    try {
      const run = (args: string[]) => new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', 'apps/tools/src/export-log.ts', ...args], { cwd: ROOT, timeout: 60_000 }, (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stderr)));
      });
      const total = (await get('/v1/predictions/log?model=iris')).body.trim().split('\n').length;
      const fromRedis = join(dir, 'redis.jsonl');
      assert.match(await run(['--redis', redis.url, '--prefix', stack.keyPrefix, '--model', 'iris', '--out', fromRedis]), new RegExp(`wrote ${total} prediction`));
      const lines = readFileSync(fromRedis, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ExportedPredictionLogEntry);
      assert.deepEqual(lines.slice(0, ids.length).map((e) => e.id), ids);
      const base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
      const fromApi = join(dir, 'api.jsonl');
      await run(['--api', base, '--model', 'iris', '--limit', '5', '--out', fromApi]);
      assert.deepEqual(readFileSync(fromApi, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as ExportedPredictionLogEntry).id), ids.slice(0, 5));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prediction log sampling (real stack)', () => {
  let redis: TestRedis;

  before(async () => { redis = await startTestRedis(); });
  after(async () => { await redis?.dispose(); });

  it('PREDICTION_LOG_SAMPLE_RATE=0 logs nothing; images are logged by brightness', async () => {
    for (const rate of ['0', '1']) {
      const stack = await startInProcessStack(redis.url, { env: { PREDICTION_LOG_SAMPLE_RATE: rate } });
      try {
        const image = Array.from({ length: 3 * 48 * 192 }, (_, i) => (i % 2 === 0 ? 0.5 : -0.25));
        const response = await stack.app.inject({ method: 'POST', url: '/v1/models/text-orientation/predictions', payload: { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: image }] } });
        await stack.app.inject({ method: 'GET', url: `/v1/predictions/${response.json().id}?wait=10000` });
        for (const w of stack.workers) await w.close(); // flushes pending log writes
        const connection = createRedisConnection(redis.url, 'worker');
        const length = await connection.xlen(redisKeys(stack.keyPrefix).predictionLog);
        await connection.quit();
        assert.equal(length, Number(rate));
        if (rate === '1') {
          const [entry] = (await stack.app.inject({ method: 'GET', url: '/v1/predictions/log' })).body.trim().split('\n').map((l) => JSON.parse(l) as ExportedPredictionLogEntry);
          assert.deepEqual(entry!.inputs.x, { kind: 'image', shape: [1, 3, 48, 192], brightness: [0.125] });
          assert.equal(entry!.outputs?.classes.length, 1);
          assert.deepEqual(entry!.outputs?.labels?.map((l) => ['0', '180'].includes(l!)), [true]);
        }
      } finally {
        await stack.close();
      }
    }
  });
});
