// Types of figures.js (plain browser JavaScript, served as is), for the unit tests.
export const MIN_REFRESH_MS: number;
export const DEFAULT_REFRESH_MS: number;
export const MAX_REFRESH_MS: number;
export function refreshInterval(requested: string | null | undefined): { ms: number; clamped: boolean };
export function servedCounts(status: { workers?: Array<{ models?: Array<{ model: string; version: string; predictions: number; failures: number }> }> }, model: string, version: string): { predictions: number; failures: number };
export function liveRates(samples: ReadonlyArray<{ t: number; predictions: number }>): Array<{ t: number; v: number }>;
export function windowProgress(window: { rows: number; startedAt: number | null; closed: number } | null | undefined, settings: { windowSize: number; windowMs: number } | null | undefined): string;
export function monitorBanner(health: { state: 'up' | 'down' | 'never'; downSince: number | null; lastSeenAt: number | null } | null | undefined, now?: number): { level: 'bad' | 'info'; text: string } | null;
export function cacheCard(cache: { hits: number; misses: number } | null | undefined): string;
