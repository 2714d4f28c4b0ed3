// Pure helpers of the dashboard (no DOM, so unit tests import them): the refresh interval, live
// figures from worker heartbeats, and what the page says while the first window is filling.

/** Shortest refresh interval `?refresh=` may ask for: each refresh is 4 API calls. */
export const MIN_REFRESH_MS = 1000;
/** Refresh interval without `?refresh=`. */
export const DEFAULT_REFRESH_MS = 5000;
/** Longest refresh interval `?refresh=` may ask for. */
export const MAX_REFRESH_MS = 600_000;

/**
 * The refresh interval for `?refresh=<ms>`: 0 pauses; other values are clamped to
 * [MIN_REFRESH_MS, MAX_REFRESH_MS]; no value or garbage gives DEFAULT_REFRESH_MS.
 * Returns { ms, clamped } (clamped: the page did not do what was asked, and says so).
 */
export function refreshInterval(requested) {
  if (requested === null || requested === undefined || requested.trim() === '') return { ms: DEFAULT_REFRESH_MS, clamped: false };
  const asked = Number(requested);
  if (!Number.isFinite(asked) || asked < 0) return { ms: DEFAULT_REFRESH_MS, clamped: true };
  if (asked === 0) return { ms: 0, clamped: false };
  const ms = Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, Math.round(asked)));
  return { ms, clamped: ms !== asked };
}

/** Predictions and failures the live workers have served for one model version (their heartbeat counters). */
export function servedCounts(status, model, version) {
  let predictions = 0;
  let failures = 0;
  for (const worker of status.workers ?? []) {
    for (const m of worker.models ?? []) {
      if (m.model === model && m.version === version) {
        predictions += m.predictions;
        failures += m.failures;
      }
    }
  }
  return { predictions, failures };
}

/**
 * Rates between successive samples [{ t, predictions }] → points [{ t, v }] (per second). A drop
 * (a worker restarted and its counters began again) gives no point.
 */
export function liveRates(samples) {
  const out = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i].t - samples[i - 1].t) / 1000;
    const dp = samples[i].predictions - samples[i - 1].predictions;
    if (dt > 0 && dp >= 0) out.push({ t: samples[i].t, v: dp / dt });
  }
  return out;
}

const clock = (ms) => new Date(ms).toLocaleTimeString();

/**
 * What the page says in charts that need a closed monitoring window while none has closed yet:
 * which window closes next, and when. `window`: status' { rows, startedAt, closed } of the version;
 * `settings`: status.monitor (null when no monitor ever ran).
 */
export function windowProgress(window, settings) {
  if (!settings) return 'no monitor has run yet: charts fill once a monitor closes a window';
  const rows = window?.rows ?? 0;
  const which = (window?.closed ?? 0) === 0 ? 'first window' : `window ${(window?.closed ?? 0) + 1}`;
  const when = [];
  if (settings.windowSize > 0) when.push(`after ${settings.windowSize} rows (${rows} so far)`);
  if (settings.windowMs > 0) when.push(window?.startedAt ? `at ${clock(window.startedAt + settings.windowMs)}` : `${settings.windowMs / 1000} s after its first row`);
  return `${which} closes ${when.join(' or ')}`;
}

/** The monitor banner: null while a monitor runs, else { level, text }. */
export function monitorBanner(health, now = Date.now()) {
  if (!health || health.state === 'up') return null;
  if (health.state === 'never') return { level: 'info', text: 'No monitor has run yet: windows, drift, accuracy and alerts start once one runs (npm start starts one unless MONITOR=false; or npm run start:monitor).' };
  const since = health.downSince ?? health.lastSeenAt;
  const ago = since ? ` (${Math.max(0, Math.round((now - since) / 1000))} s ago)` : '';
  return { level: 'bad', text: `Monitor down since ${since ? clock(since) : 'an unknown time'}${ago}: windows, drift, accuracy and alerts are not updated until it runs again.` };
}

/**
 * The prediction cache card of a version (status' `cache`): 'off' when it does not cache, else the
 * hit ratio of all lookups so far with hits/lookups, or 'no lookups yet'.
 */
export function cacheCard(cache) {
  if (!cache) return 'off';
  const lookups = cache.hits + cache.misses;
  if (lookups === 0) return 'no lookups yet';
  return `${((cache.hits / lookups) * 100).toFixed(1)}% · ${cache.hits}/${lookups}`;
}
