/**
 * `node --import tsx bench/window-report.ts [reports]`: monitor CPU per closed window — building one
 * iris report (`buildWindowReport`: summaries, histograms, KS / chi-squared against the shipped
 * 120-row reference) for a 50-prediction window (the default WINDOW_SIZE), and the per-item work
 * before it (window item JSON and its parse). Run with `node --cpu-prof` to see where it goes.
 */
import { readFileSync } from 'node:fs';
import { createRandom } from '@inferq/monitoring';
import { referenceFromCsv } from '../apps/monitor/src/reference-profiles.js';
import type { WindowItem } from '../apps/monitor/src/window-item.js';
import { buildWindowReport } from '../apps/monitor/src/window-report.js';

const reports = Number(process.argv[2] ?? 2_000);
const reference = referenceFromCsv(readFileSync(new URL('../models/iris/1/reference.csv', import.meta.url), 'utf8'), 'file');
const random = createRandom(11);
const names = reference.profile.featureNames;
const window = (): WindowItem[] => Array.from({ length: 50 }, (_, i) => ({
  t: 1_000 + i, r: 1, s: 1, ok: 1, lat: 5 + random.next(), qw: 1, bs: 32,
  f: Object.fromEntries(names.map((name) => {
    const values = reference.profile.features[name]!.values as number[];
    return [name, [values[Math.floor(random.next() * values.length)]!]];
  })),
  cls: [i % 3], conf: [0.9],
}));
const windows = Array.from({ length: 50 }, window);
const once = (seq: number, withReference = true) => buildWindowReport({
  model: 'iris', version: '1', labels: ['setosa', 'versicolor', 'virginica'], seq, items: windows[seq % windows.length]!,
  previous: [], drift: { shareThreshold: 0.5, persistence: 2 }, ...(withReference ? { reference } : {}),
});
const measure = (label: string, withReference: boolean) => {
  for (let i = 0; i < 200; i++) once(i, withReference);
  const start = process.cpuUsage();
  for (let i = 0; i < reports; i++) once(i, withReference);
  const used = process.cpuUsage(start);
  const perReport = (used.user + used.system) / reports;
  console.log(`iris window report (50 predictions${label}): ${perReport.toFixed(0)} µs CPU per report, ${(perReport / 50).toFixed(1)} µs per prediction`);
};
measure(', drift against the 120-row reference', true);
measure(', drift against the 120-row reference (again)', true);
measure(', no reference: summaries only', false);
