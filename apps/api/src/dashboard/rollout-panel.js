// The dashboard's "Rollout" panel: the model's latest rollout (status, step, weight, reason) and
// per version its weight under that rollout, live requests/s, error rate and p95, and the
// candidate's agreement with the baseline at the last judged step. APIs: GET
// /v1/models/{m}/rollouts, /v1/models/{m}/versions/{v}/stats?window=60.

import { formatNumber } from './charts.js';

const percent = (v) => (v === undefined || v === null ? '–' : `${(v * 100).toFixed(1)}%`);

/** Reads what the panel shows; `api(path)` is the dashboard's authorised fetch. */
export async function loadRollout(api, model, versions) {
  const m = encodeURIComponent(model);
  const [rollouts, stats] = await Promise.all([
    api(`/v1/models/${m}/rollouts`),
    Promise.all(versions.map((v) => api(`/v1/models/${m}/versions/${encodeURIComponent(v)}/stats?window=60`))),
  ]);
  return { rollout: rollouts.rollouts[0], versions, stats };
}

/** Draws the panel into the `#rollout-status` line and the `#rollout-table`. */
export function renderRollout(doc, data) {
  const { rollout, versions, stats } = data;
  const line = doc.getElementById('rollout-status');
  if (rollout) {
    line.textContent = `rollout ${rollout.id}: version ${rollout.version} (baseline ${rollout.baseline}) ${rollout.status}, step ${rollout.step} of ${rollout.steps.length}, weight ${rollout.weight}%${rollout.reason ? ` · ${rollout.reason}` : ''}`;
    line.className = `note rollout-${rollout.status}`;
  } else {
    line.textContent = 'no rollout of this model yet';
    line.className = 'note';
  }
  line.dataset.status = rollout?.status ?? 'none';
  // Weights the rollout set: while it is active, and after it succeeded (a rollback or abort
  // restored a policy this panel does not read).
  const weights = new Map();
  if (rollout && rollout.status !== 'rolled_back' && rollout.status !== 'aborted') {
    if (rollout.weight < 100) weights.set(String(rollout.baseline), 100 - rollout.weight);
    weights.set(String(rollout.version), rollout.weight);
  }
  const judged = rollout ? [...rollout.history].reverse().find((e) => e.figures && e.figures.pairs > 0) : undefined;
  const active = rollout && ['running', 'paused', 'waiting_approval'].includes(rollout.status);
  const body = doc.getElementById('rollout-table').tBodies[0];
  body.replaceChildren(...versions.map((version, i) => {
    const s = stats[i];
    const candidate = rollout && String(rollout.version) === version;
    const row = doc.createElement('tr');
    row.dataset.version = version;
    if (candidate && active) row.className = 'warn';
    const cells = [
      `v${version}${candidate ? ' (candidate)' : rollout && String(rollout.baseline) === version ? ' (baseline)' : ''}`,
      weights.size > 0 ? `${weights.get(version) ?? 0}%${candidate && active && rollout.shadowPercent > 0 && rollout.weight < 100 ? ` + shadow ${rollout.shadowPercent}%` : ''}` : '–',
      s ? formatNumber(s.requestsPerSecond) : '–',
      s && s.requests > 0 ? percent(s.errorRate) : '–',
      s && s.requests > s.errors ? `${formatNumber(s.latencyMs.p95)} ms` : '–',
      candidate && judged?.figures.agreement !== undefined ? `${percent(judged.figures.agreement)} of ${judged.figures.pairs} pairs (vs v${rollout.baseline})` : '–',
    ];
    for (const text of cells) {
      const td = doc.createElement('td');
      td.textContent = text;
      row.appendChild(td);
    }
    return row;
  }));
}
