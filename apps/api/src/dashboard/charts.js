// Small SVG charts for the dashboard: line charts over time with threshold lines, and grouped
// bar charts. No dependencies; every element is built with the DOM API (no innerHTML), styled
// by classes from dashboard.css (the page's CSP allows no inline style).

const SVG = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function el(name, attributes = {}, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function text(parent, x, y, content, className, anchor = 'start') {
  const node = el('text', { x, y, class: className, 'text-anchor': anchor }, parent);
  node.textContent = content;
  return node;
}

/** One row of colour keys under the title, from x to at most `right`. */
function legend(svg, series, x, y, right) {
  let lx = x;
  series.forEach((s, i) => {
    const width = 16 + Math.min(110, s.name.length * 5.5);
    if (lx + width > right) return;
    el('rect', { x: lx, y: y - 7, width: 8, height: 8, fill: s.color ?? PALETTE[i % PALETTE.length] }, svg);
    text(svg, lx + 11, y, s.name, 'legend');
    lx += width;
  });
}

/** A number for an axis label: short, no trailing zeros. */
export function formatNumber(value) {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e6)) return value.toExponential(1);
  if (abs >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

function formatTime(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** Up to `count` round tick values covering [lo, hi]. */
function ticks(lo, hi, count = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Draws a line chart into `container` (replacing what was there).
 * options: { title, unit, series: [{ name, points: [{ t, v }] }], thresholds: [{ value, label }],
 *            log: boolean (log10 y axis, for p-values), yMin, yMax, empty: 'message' }
 * The SVG carries data-chart (the container id) and data-points (points drawn), for tests.
 */
export function lineChart(container, options) {
  const width = 460;
  const height = 200;
  const hasLegend = (options.series ?? []).length > 1 || options.legend;
  const margin = { top: hasLegend ? 40 : 26, right: 12, bottom: 26, left: 48 };
  container.replaceChildren();
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': options.title, 'data-chart': container.id }, container);
  text(svg, margin.left, 16, options.title + (options.unit ? ` (${options.unit})` : ''), 'chart-title');
  const series = (options.series ?? []).map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.v) && (!options.log || p.v > 0)) }));
  const all = series.flatMap((s) => s.points);
  svg.setAttribute('data-points', String(all.length));
  if (all.length === 0) {
    text(svg, width / 2, height / 2, options.empty ?? 'no data yet', 'chart-empty', 'middle');
    return svg;
  }
  const thresholds = (options.thresholds ?? []).filter((t) => Number.isFinite(t.value) && (!options.log || t.value > 0));
  const f = options.log ? Math.log10 : (v) => v;
  const values = [...all.map((p) => f(p.v)), ...thresholds.map((t) => f(t.value))];
  let lo = options.yMin !== undefined ? f(options.yMin) : Math.min(...values);
  let hi = options.yMax !== undefined ? f(options.yMax) : Math.max(...values);
  if (options.yMin === undefined && !options.log && lo > 0 && lo < hi * 0.5) lo = 0;
  if (hi === lo) { if (lo === 0 && !options.log) hi = 1; else { hi += 1; lo -= 1; } }
  const pad = (hi - lo) * 0.05;
  if (options.yMax === undefined) hi += pad;
  if (options.yMin === undefined && lo !== 0) lo -= pad;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const x = (t) => margin.left + (t1 === t0 ? (width - margin.left - margin.right) / 2 : ((t - t0) / (t1 - t0)) * (width - margin.left - margin.right));
  const y = (v) => height - margin.bottom - ((f(v) - lo) / (hi - lo)) * (height - margin.top - margin.bottom);

  const axis = el('g', { class: 'axis' }, svg);
  el('line', { x1: margin.left, y1: height - margin.bottom, x2: width - margin.right, y2: height - margin.bottom }, axis);
  el('line', { x1: margin.left, y1: margin.top, x2: margin.left, y2: height - margin.bottom }, axis);
  for (const tick of ticks(lo, hi)) {
    const yy = height - margin.bottom - ((tick - lo) / (hi - lo)) * (height - margin.top - margin.bottom);
    el('line', { x1: margin.left, y1: yy, x2: width - margin.right, y2: yy, class: 'grid' }, axis);
    text(axis, margin.left - 4, yy + 3, formatNumber(options.log ? 10 ** tick : tick), 'tick', 'end');
  }
  text(axis, margin.left, height - 8, formatTime(t0), 'tick');
  if (t1 !== t0) text(axis, width - margin.right, height - 8, formatTime(t1), 'tick', 'end');

  for (const threshold of thresholds) {
    const yy = y(threshold.value);
    el('line', { x1: margin.left, y1: yy, x2: width - margin.right, y2: yy, class: 'threshold', 'data-threshold': threshold.value }, svg);
    text(svg, width - margin.right - 2, yy - 3, threshold.label ?? `threshold ${formatNumber(threshold.value)}`, 'threshold-label', 'end');
  }

  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    if (s.points.length > 1) {
      el('polyline', { points: s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 1.6, class: 'series', 'data-series': s.name }, svg);
    }
    const dots = el('g', { class: 'dots', 'data-series': s.name }, svg);
    for (const p of s.points) {
      const dot = el('circle', { cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: s.points.length > 60 ? 1.2 : 2.2, fill: p.flag ? '#dc2626' : color }, dots);
      const tip = el('title', {}, dot);
      tip.textContent = `${s.name}: ${formatNumber(p.v)} at ${formatTime(p.t)}${p.window !== undefined ? ` (window ${p.window})` : ''}`;
    }
  });
  if (hasLegend) legend(svg, series, margin.left, 30, width - margin.right);
  return svg;
}

/**
 * Draws grouped bars (e.g. current vs reference shares per histogram bin).
 * options: { title, categories: [label], groups: [{ name, values: [number] }] }
 */
export function barChart(container, options) {
  const width = 460;
  const height = 190;
  const margin = { top: 40, right: 12, bottom: 30, left: 40 };
  container.replaceChildren();
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': options.title, 'data-chart': container.id }, container);
  text(svg, margin.left, 16, options.title, 'chart-title');
  const groups = options.groups ?? [];
  const count = groups.reduce((n, g) => n + g.values.filter((v) => Number.isFinite(v)).length, 0);
  svg.setAttribute('data-points', String(count));
  if (count === 0 || options.categories.length === 0) {
    text(svg, width / 2, height / 2, options.empty ?? 'no data yet', 'chart-empty', 'middle');
    return svg;
  }
  const hi = Math.max(...groups.flatMap((g) => g.values).filter(Number.isFinite), 1e-9) * 1.1;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const slot = plotW / options.categories.length;
  const barW = Math.max(1, (slot * 0.8) / Math.max(1, groups.length));
  const axis = el('g', { class: 'axis' }, svg);
  el('line', { x1: margin.left, y1: height - margin.bottom, x2: width - margin.right, y2: height - margin.bottom }, axis);
  for (const tick of ticks(0, hi, 3)) {
    const yy = height - margin.bottom - (tick / hi) * plotH;
    el('line', { x1: margin.left, y1: yy, x2: width - margin.right, y2: yy, class: 'grid' }, axis);
    text(axis, margin.left - 4, yy + 3, formatNumber(tick), 'tick', 'end');
  }
  const every = Math.ceil(options.categories.length / 8);
  options.categories.forEach((label, c) => {
    if (c % every === 0) text(axis, margin.left + slot * c + slot / 2, height - margin.bottom + 12, label, 'tick', 'middle');
  });
  groups.forEach((g, i) => {
    const color = g.color ?? PALETTE[i % PALETTE.length];
    const bars = el('g', { class: 'bars', 'data-series': g.name }, svg);
    g.values.forEach((v, c) => {
      if (!Number.isFinite(v)) return;
      const h = (v / hi) * plotH;
      const rect = el('rect', { x: margin.left + slot * c + slot * 0.1 + barW * i, y: height - margin.bottom - h, width: barW, height: Math.max(0, h), fill: color, class: 'bar' }, bars);
      const tip = el('title', {}, rect);
      tip.textContent = `${g.name} ${options.categories[c]}: ${formatNumber(v)}`;
    });
  });
  legend(svg, groups, margin.left, 30, width - margin.right);
  return svg;
}
