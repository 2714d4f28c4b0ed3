// The inferq dashboard: polls the JSON APIs and redraws. No build step, no dependencies.
// APIs: GET /v1/monitoring/status, /v1/models/{m}/versions/{v}/series?name=…, …/drift?limit=1,
// /v1/alerts. With access control on, an API key with the `read` scope is asked for once and
// kept in localStorage.

import { barChart, formatNumber, lineChart } from './charts.js';
import { cacheCard, liveRates, monitorBanner, refreshInterval, servedCounts, windowProgress } from './figures.js';
import { loadRollout, renderRollout } from './rollout-panel.js';

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = 'inferq.apiKey';
const QUEUE_HISTORY = 300;

const state = {
  key: localStorage.getItem(KEY_STORAGE) ?? '',
  selected: decodeURIComponent(location.hash.slice(1)) || '',
  seriesNames: [],
  queueHistory: new Map(),
  servedHistory: new Map(),
  timer: undefined,
  busy: false,
};

class AuthError extends Error {}

async function api(path) {
  const headers = state.key ? { authorization: `Bearer ${state.key}` } : {};
  const response = await fetch(path, { headers });
  if (response.status === 401 || response.status === 403) throw new AuthError((await response.json()).error?.message ?? 'not allowed');
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

const versionPath = (model, version) => `/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}`;

function cell(row, content, className) {
  const td = document.createElement('td');
  td.textContent = content;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function setCard(id, content, level) {
  const node = $(id);
  node.textContent = content;
  node.title = content;
  node.className = `value${level ? ` ${level}` : ''}`;
}

function fillSelector(status) {
  const select = $('version-select');
  const options = status.models.flatMap((m) => m.versions.map((v) => ({ value: `${m.name}/${v.version}`, label: `${m.name} v${v.version}`, features: v.features.length })));
  if (select.options.length !== options.length) {
    select.replaceChildren(...options.map((o) => Object.assign(document.createElement('option'), { value: o.value, textContent: o.label })));
  }
  if (!options.some((o) => o.value === state.selected)) {
    state.selected = (options.find((o) => o.features > 0) ?? options[0])?.value ?? '';
  }
  select.value = state.selected;
}

function recordQueue(status) {
  for (const model of status.models) {
    if (!model.queue) continue;
    const history = state.queueHistory.get(model.name) ?? [];
    history.push({ t: status.at, waiting: model.queue.waiting + model.queue.prioritized, active: model.queue.active, delayed: model.queue.delayed });
    if (history.length > QUEUE_HISTORY) history.shift();
    state.queueHistory.set(model.name, history);
  }
}

/** Samples the live workers' served counters of the selected version (for the live throughput). */
function recordServed(status, key, model, version) {
  const history = state.servedHistory.get(key) ?? [];
  history.push({ t: status.at, ...servedCounts(status, model, version) });
  if (history.length > QUEUE_HISTORY) history.shift();
  state.servedHistory.set(key, history);
  return history;
}

const points = (series, name) => (series[name] ?? []).map((p) => ({ t: p.t, v: p.v, window: p.window }));

function renderCharts(model, series, report, settings, progress, served) {
  lineChart($('chart-throughput'), {
    title: 'Throughput (live: sampled by this page)', unit: 'per s', legend: true,
    series: [
      { name: 'live (predictions)', points: liveRates(served) },
      { name: 'per window (rows)', points: points(series, 'throughput') },
    ],
  });
  lineChart($('chart-latency'), {
    title: 'End-to-end latency per window', unit: 'ms', empty: progress,
    series: ['latency_p50', 'latency_p95', 'latency_p99'].map((name) => ({ name: name.replace('latency_', ''), points: points(series, name) })),
    thresholds: settings?.latencyP95ThresholdMs > 0 ? [{ value: settings.latencyP95ThresholdMs, label: `p95 limit ${settings.latencyP95ThresholdMs} ms` }] : [],
  });
  const queue = state.queueHistory.get(model) ?? [];
  lineChart($('chart-queue'), {
    title: `Queue depth (${model}, sampled by this page)`, unit: 'jobs',
    series: [
      { name: 'waiting', points: queue.map((q) => ({ t: q.t, v: q.waiting })) },
      { name: 'active', points: queue.map((q) => ({ t: q.t, v: q.active })) },
    ],
  });
  lineChart($('chart-batch'), { title: 'Mean batch size per window', unit: 'rows', empty: progress, series: [{ name: 'batch size', points: points(series, 'batch_size_mean') }] });
  lineChart($('chart-confidence'), {
    title: 'Mean confidence per window', yMin: 0, yMax: 1, empty: progress, series: [{ name: 'confidence', points: points(series, 'mean_confidence') }],
    thresholds: settings?.minMeanConfidence > 0 ? [{ value: settings.minMeanConfidence, label: `min ${settings.minMeanConfidence}` }] : [],
  });
  const classNames = state.seriesNames.filter((n) => n.startsWith('class_share:'));
  lineChart($('chart-classes'), {
    title: 'Predicted class share per window', yMin: 0, yMax: 1, legend: true, empty: progress,
    series: classNames.map((name) => ({ name: name.slice('class_share:'.length), points: points(series, name) })),
  });
  lineChart($('chart-accuracy'), {
    title: `Rolling accuracy (last ${settings?.feedbackWindowSize ?? 50} feedback labels)`, yMin: 0, yMax: 1, series: [{ name: 'accuracy', points: points(series, 'accuracy') }],
    thresholds: settings?.accuracyThreshold > 0 ? [{ value: settings.accuracyThreshold, label: `alert below ${settings.accuracyThreshold}` }] : [],
    empty: 'no feedback yet (POST /v1/predictions/{id}/feedback)',
  });
  lineChart($('chart-errors'), {
    title: 'Failed share and null outputs per window', legend: true, empty: progress,
    series: [{ name: 'failed share', points: points(series, 'error_rate') }, { name: 'null outputs', points: points(series, 'null_outputs') }],
    thresholds: settings && settings.maxErrorRate < 1 ? [{ value: settings.maxErrorRate, label: `max failed ${settings.maxErrorRate}` }] : [],
  });

  const shareThreshold = report?.drift?.shareThreshold ?? settings?.driftShareThreshold ?? 0.5;
  lineChart($('chart-drift-share'), {
    title: 'Share of drifted features', yMin: 0, yMax: 1,
    series: [{ name: 'drift share', points: points(series, 'drift_share').map((p) => ({ ...p, flag: p.v >= shareThreshold })) }],
    thresholds: [{ value: shareThreshold, label: `dataset drift at ${shareThreshold}` }],
    empty: report?.driftSkipped ?? progress,
  });
  const features = Object.entries(report?.drift?.features ?? {});
  const pValues = features.length > 0 && features.every(([, d]) => d.direction === 'below');
  const driftNames = [...features.map(([name]) => name), ...(report?.drift?.prediction ? ['prediction'] : [])];
  const thresholds = [...new Set(features.map(([, d]) => d.threshold))].map((value) => ({ value, label: pValues ? `drift below p = ${value}` : `drift above ${value}` }));
  lineChart($('chart-drift-scores'), {
    title: pValues ? 'Drift test p-values per feature (log scale)' : 'Drift scores per feature', log: pValues, legend: true,
    series: driftNames.map((name) => ({ name, points: points(series, `drift:${name}`) })),
    thresholds,
    empty: report?.driftSkipped ?? progress,
  });
  renderFeatures(report);
}

function renderFeatures(report) {
  const container = $('feature-charts');
  const features = Object.entries(report?.features ?? {}).filter(([, f]) => f.histogram);
  const ids = features.map(([name]) => `feature-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  $('feature-heading').classList.toggle('hidden', ids.length === 0);
  if ([...container.children].map((c) => c.id).join() !== ids.join()) {
    container.replaceChildren(...ids.map((id) => Object.assign(document.createElement('div'), { id, className: 'panel' })));
  }
  features.forEach(([name, f], i) => {
    const h = f.histogram;
    const refTotal = h.reference.reduce((a, b) => a + b, 0) || 1;
    const curTotal = h.current.reduce((a, b) => a + b, 0) + h.below + h.above || 1;
    const categories = h.edges.slice(0, -1).map((e) => formatNumber(e));
    const current = h.current.map((c) => c / curTotal);
    const reference = h.reference.map((c) => c / refTotal);
    if (h.below > 0) { categories.unshift('below'); current.unshift(h.below / curTotal); reference.unshift(0); }
    if (h.above > 0) { categories.push('above'); current.push(h.above / curTotal); reference.push(0); }
    const drift = report.drift?.features[name];
    barChart($(ids[i]), {
      title: `${name}: window ${report.window} vs reference${drift ? ` (${drift.method} ${formatNumber(drift.score)}${drift.drifted ? ', drifted' : ''})` : ''}`,
      categories,
      groups: [{ name: 'window', values: current }, { name: 'reference', values: reference, color: '#9ca3af' }],
    });
  });
}

function renderDriftTable(report) {
  const body = $('drift-table').tBodies[0];
  const rows = Object.entries(report?.features ?? {}).map(([name, f]) => {
    const d = report.drift?.features[name];
    const row = document.createElement('tr');
    row.dataset.feature = name;
    if (d?.drifted) row.className = d.persistent ? 'bad' : 'warn';
    cell(row, name);
    cell(row, formatNumber(f.mean ?? NaN));
    cell(row, formatNumber(f.reference?.mean ?? NaN));
    cell(row, d?.method ?? '–');
    cell(row, d ? formatNumber(d.score) : '–');
    cell(row, d ? `${d.direction === 'below' ? '<' : '>'} ${d.threshold}` : '–');
    cell(row, d?.psi !== undefined ? formatNumber(d.psi) : '–');
    cell(row, d ? (d.drifted ? 'yes' : 'no') : '–');
    cell(row, d ? (d.persistent ? 'yes' : 'no') : '–');
    return row;
  });
  body.replaceChildren(...rows);
}

function renderAlerts(alerts) {
  const body = $('alert-table').tBodies[0];
  if (alerts.length === 0) {
    const row = document.createElement('tr');
    cell(row, 'no alerts', 'muted').colSpan = 7;
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(...alerts.map((a) => {
    const row = document.createElement('tr');
    row.className = 'alert-row';
    row.dataset.rule = a.rule;
    cell(row, new Date(a.at).toLocaleTimeString());
    cell(row, `${a.model} v${a.version}`);
    cell(row, a.rule, 'rule');
    cell(row, formatNumber(a.value));
    cell(row, formatNumber(a.threshold));
    cell(row, String(a.window));
    cell(row, a.message);
    return row;
  }));
}

async function refresh() {
  if (state.busy) return;
  state.busy = true;
  try {
    const status = await api('/v1/monitoring/status');
    $('key-form').classList.add('hidden');
    fillSelector(status);
    recordQueue(status);
    const [model, version] = state.selected.split('/');
    if (!model) {
      $('status-line').textContent = 'no model is served';
      return;
    }
    const modelStatus = status.models.find((m) => m.name === model);
    const versionStatus = modelStatus?.versions.find((v) => v.version === version);
    const banner = monitorBanner(status.monitorHealth);
    $('monitor-banner').className = banner ? `banner ${banner.level}` : 'banner hidden';
    $('monitor-banner').textContent = banner?.text ?? '';
    const health = status.monitorHealth?.state;
    setCard('card-monitor', health === 'up' ? 'up' : health === 'down' ? 'DOWN' : 'not run', health === 'up' ? 'good' : health === 'down' ? 'bad' : '');
    setCard('card-workers', String(status.workers.length), status.workers.length === 0 ? 'bad' : '');
    const served = recordServed(status, state.selected, model, version);
    const latest = served.at(-1);
    setCard('card-served', latest.failures > 0 ? `${latest.predictions} · ${latest.failures} failed` : String(latest.predictions), latest.failures > 0 ? 'warn' : '');
    setCard('card-queue', modelStatus?.queue ? `${modelStatus.queue.waiting + modelStatus.queue.prioritized} / ${modelStatus.queue.active}` : '–');
    setCard('card-cache', cacheCard(versionStatus?.cache));

    // The first time, learn which series exist (class shares and per-feature drift scores).
    if (state.seriesNames.length === 0) state.seriesNames = (await api(`${versionPath(model, version)}/series?limit=1`)).names;
    const base = ['throughput', 'latency_p50', 'latency_p95', 'latency_p99', 'batch_size_mean', 'mean_confidence', 'accuracy', 'error_rate', 'null_outputs', 'drift_share'];
    const extra = state.seriesNames.filter((n) => n.startsWith('class_share:') || n.startsWith('drift:'));
    const [seriesAnswer, drift, alerts, rollout] = await Promise.all([
      api(`${versionPath(model, version)}/series?limit=200&name=${encodeURIComponent([...base, ...extra].join(','))}`),
      api(`${versionPath(model, version)}/drift?limit=1`),
      api(`/v1/alerts?model=${encodeURIComponent(model)}&version=${encodeURIComponent(version)}&limit=50`),
      loadRollout(api, model, modelStatus?.versions.map((v) => v.version) ?? []),
    ]);
    state.seriesNames = seriesAnswer.names;
    const report = drift.reports[0];
    const progress = windowProgress(versionStatus?.window, status.monitor);
    const filling = versionStatus?.window && status.monitor?.windowSize > 0 ? ` · ${versionStatus.window.rows}/${status.monitor.windowSize}` : '';
    setCard('card-window', report ? `#${report.window}${filling}` : `filling${filling}`);
    $('window-note').textContent = report
      ? `Window figures are per closed monitoring window (latest #${report.window}, ${report.rows} rows); ${progress}. Live figures (workers, served, queue, live throughput) update every refresh.`
      : `No monitoring window has closed yet for ${model} v${version}: the ${progress}. Until then the live figures (workers, served, queue, live throughput) update every refresh.`;
    if (report?.drift) {
      const share = `${Math.round(report.drift.share * 100)}%`;
      setCard('card-drift', report.drift.datasetDrift ? `DRIFT · ${share}` : share, report.drift.datasetDrift ? 'bad' : report.drift.share > 0 ? 'warn' : 'good');
    } else {
      setCard('card-drift', report ? 'no reference' : '–');
    }
    const accuracy = seriesAnswer.series.accuracy?.at(-1);
    const accuracyThreshold = status.monitor?.accuracyThreshold ?? 0;
    setCard('card-accuracy', accuracy ? `${(accuracy.v * 100).toFixed(1)}%` : '–', accuracy ? (accuracy.v < accuracyThreshold ? 'bad' : 'good') : '');
    setCard('card-alerts', String(alerts.alerts.length), alerts.alerts.length > 0 ? 'warn' : '');

    renderCharts(model, seriesAnswer.series, report, status.monitor, progress, served);
    renderDriftTable(report);
    renderAlerts(alerts.alerts);
    renderRollout(document, rollout);
    $('status-line').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.loaded = 'true';
  } catch (error) {
    if (error instanceof AuthError) $('key-form').classList.remove('hidden');
    $('status-line').textContent = `error: ${error.message}`;
  } finally {
    state.busy = false;
  }
}

function schedule() {
  clearInterval(state.timer);
  const every = Number($('refresh-select').value);
  document.body.dataset.refreshMs = String(every);
  if (every > 0) state.timer = setInterval(refresh, every);
}

$('version-select').addEventListener('change', (event) => {
  state.selected = event.target.value;
  state.seriesNames = [];
  location.hash = encodeURIComponent(state.selected);
  refresh();
});
$('refresh-select').addEventListener('change', schedule);
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.key = $('key-input').value.trim();
  localStorage.setItem(KEY_STORAGE, state.key);
  refresh();
});
// ?refresh=<ms>: clamped to at least MIN_REFRESH_MS (each refresh costs four API calls).
const refreshAsked = refreshInterval(new URLSearchParams(location.search).get('refresh'));
const refreshValue = String(refreshAsked.ms);
if ([...$('refresh-select').options].every((o) => o.value !== refreshValue)) {
  $('refresh-select').appendChild(Object.assign(document.createElement('option'), { value: refreshValue, textContent: `${refreshAsked.ms / 1000} s` }));
}
$('refresh-select').value = refreshValue;
if (refreshAsked.clamped) $('refresh-select').title = `?refresh= was clamped to ${refreshAsked.ms} ms`;
document.body.dataset.refreshMs = refreshValue;
schedule();
refresh();
