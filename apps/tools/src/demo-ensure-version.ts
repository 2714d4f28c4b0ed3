/**
 * For `npm run demo:rollout`: makes sure the stack serves an iris version before the demo rolls it
 * out, through model control (docs/model-control.md): registers it by upload from a staged
 * directory when `GET /v1/models/iris` does not list it, loads it again when it was unloaded, and
 * waits (bounded) until a worker holds it (`READY`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the demo's HTTP helper answers. */
export type DemoCall = <T>(method: string, path: string, body?: unknown, extra?: Record<string, string>) => Promise<{ status: number; body: T }>;

/** One version of `GET /v1/models/{m}`. */
interface VersionView { version: string; state: string; desired: string; reason?: string; origin: string }

/** How to reach the stack and what to do when the version is missing. */
export interface EnsureVersionOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  base: string;
  /** Headers of every request (the admin key). */
  headers: Record<string, string>;
  /** The demo's JSON helper, for the reads and the load call. */
  call: DemoCall;
  /** Progress lines. */
  say: (text: string) => void;
  /** Directory with `model.onnx` and `config.json` to upload; absent: a missing version is an error. */
  stagedDir?: string;
  /** How long to wait for `READY`, in ms. @defaultValue 60 000 */
  readyTimeoutMs?: number;
}

async function versionsOf(call: DemoCall, model: string): Promise<VersionView[]> {
  const described = await call<{ versions?: VersionView[]; error?: { message: string } }>('GET', `/v1/models/${model}`);
  if (described.status !== 200) throw new Error(`GET /v1/models/${model} answered ${described.status}: ${described.body?.error?.message ?? ''}`);
  return described.body.versions ?? [];
}

/** Registers `version` of `model` by uploading `<dir>/model.onnx` with `<dir>/config.json` as `?config=`. */
async function register(options: EnsureVersionOptions & { stagedDir: string }, model: string, version: string): Promise<void> {
  const onnxPath = join(options.stagedDir, 'model.onnx');
  const configPath = join(options.stagedDir, 'config.json');
  let onnx: Buffer; let config: string;
  try {
    [onnx, config] = await Promise.all([readFile(onnxPath), readFile(configPath, 'utf8')]);
  } catch (error) {
    throw new Error(`cannot read the files to register ${model} version ${version}: ${(error as Error).message}`, { cause: error });
  }
  options.say(`registering ${model} version ${version} by upload from ${options.stagedDir} (${onnx.length} bytes)`);
  // The config goes compact: the route takes it URL-encoded in the query string.
  const query = new URLSearchParams({ version, config: JSON.stringify(JSON.parse(config)) });
  const response = await fetch(`${options.base}/v1/models/${model}/versions?${query.toString()}`, {
    method: 'POST', headers: { ...options.headers, 'content-type': 'application/octet-stream' }, body: onnx, signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`registering ${model} version ${version} answered ${response.status}: ${text}`);
  options.say(`   → ${response.status} ${text}`);
}

/**
 * Ensures the stack serves `version` of `model`: registers it from `stagedDir` when it is not
 * listed, loads it when it was unloaded, then waits until it is `READY` (printing each new state).
 * Throws with a message naming the version when it is missing and cannot be registered, when it
 * ends `FAILED`, or when it is not `READY` in time.
 */
export async function ensureVersion(options: EnsureVersionOptions, model: string, version: string): Promise<void> {
  const { call, say } = options;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let found = (await versionsOf(call, model)).find((v) => v.version === version);
  if (!found) {
    if (!options.stagedDir) {
      const listed = (await versionsOf(call, model)).map((v) => v.version).join(', ') || 'none';
      throw new Error(`${model} version ${version} is not served at ${options.base} (versions: ${listed}). Register and load it (docs/model-control.md), or run without --no-register.`);
    }
    await register({ ...options, stagedDir: options.stagedDir }, model, version);
  } else if (found.desired === 'unloaded') {
    say(`${model} version ${version} is unloaded: loading it`);
    const loaded = await call<{ error?: { message: string } }>('POST', `/v1/models/${model}/versions/${version}/load`);
    if (loaded.status !== 200) throw new Error(`loading ${model} version ${version} answered ${loaded.status}: ${loaded.body?.error?.message ?? ''}`);
  }
  let last = '';
  const deadline = Date.now() + timeoutMs;
  // Bounded: one read every 250 ms until the deadline.
  while (Date.now() < deadline) {
    found = (await versionsOf(call, model)).find((v) => v.version === version);
    const state = found?.state ?? 'absent';
    if (state !== last) {
      say(`${model} version ${version} (${found?.origin ?? '?'}): ${state}${found?.reason ? ` (${found.reason})` : ''}`);
      last = state;
    }
    if (state === 'READY') return;
    if (state === 'FAILED') throw new Error(`${model} version ${version} failed to load: ${found?.reason ?? 'no reason given'} (POST /v1/models/${model}/versions/${version}/load tries again)`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${model} version ${version} is not READY after ${timeoutMs / 1000} s (state: ${last}); is a worker running?`);
}
