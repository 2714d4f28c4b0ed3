/**
 * The `inferq` binary (node_modules/.bin/inferq, as `npx inferq` runs it) as a child process
 * against a real stack: API listening on loopback, real Redis, BullMQ and onnxruntime workers,
 * access control on. Checks output (JSON parsed, tables read as text) and the documented exit
 * codes: 0 ok, 1 prediction failed, 2 usage, 3 connection, 4 auth, 5 rejected.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { writeLookupModel } from '../helpers/lookup-model.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const BIN = fileURLToPath(new URL('../../node_modules/.bin/inferq', import.meta.url));
const ADMIN_KEY = 'admin-key-for-the-cli-test-0123456789abcdef';

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the binary with `args`; resolves when it exits (bounded: killed after 60 s). */
function inferq(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

describe('inferq CLI (real binary, real stack)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inferq-cli-'));
    const repo = join(dir, 'models');
    cpSync(join(MODELS_DIR, 'iris'), join(repo, 'iris'), { recursive: true });
    cpSync(join(MODELS_DIR, 'text-orientation'), join(repo, 'text-orientation'), { recursive: true });
    writeLookupModel(repo);
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 1, env: { ADMIN_API_KEY: ADMIN_KEY, MODEL_REPOSITORY: repo } });
    const base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    env = { INFERQ_URL: base, INFERQ_API_KEY: ADMIN_KEY };
  });

  after(async () => {
    await stack?.close();
    await redis?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists and shows models (table and --json)', async () => {
    const table = await inferq(['models', 'list'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^model\s+version\s+max batch/m);
    assert.match(table.stdout, /^iris\s+1\s+/m);
    const json = await inferq(['models', 'list', '--json'], env);
    assert.ok((JSON.parse(json.stdout) as Array<{ name: string }>).some((m) => m.name === 'text-orientation'));
    const show = await inferq(['models', 'show', 'iris', '--json'], env);
    const shown = JSON.parse(show.stdout) as { inputs: Array<{ name: string }>; batching: { maxBatchSize: number } };
    assert.equal(shown.inputs[0]!.name, 'features');
    assert.ok(shown.batching.maxBatchSize > 0);
  });

  it('predicts from JSON, CSV (over the WebSocket) and an image; submits and watches', async () => {
    const json = await inferq(['predict', 'iris', '--data', '[[6.7, 3.0, 5.2, 2.3]]', '--wait', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout) as { status: string; result: { outputs: Array<{ name: string; data: number[] }> } };
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.result.outputs.find((o) => o.name === 'label')!.data, [2]);

    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.0,2.7,4.1,1.0\n6.7,3.0,5.2,2.3\n');
    const rows = await inferq(['predict', 'iris', '--csv', csv, '--ws', '--json'], env);
    assert.equal(rows.code, 0, rows.stderr);
    assert.deepEqual((JSON.parse(rows.stdout) as typeof result).result.outputs.find((o) => o.name === 'label')!.data, [0, 1, 2]);
    const readable = await inferq(['predict', 'iris', '--csv', csv, '--wait'], env);
    assert.match(readable.stdout, /^label\s+INT64\s+\[3\]\s+\[0, 1, 2\]$/m);

    const png = join(dir, 'line.png');
    await sharp({ create: { width: 300, height: 60, channels: 3, background: { r: 250, g: 250, b: 250 } } })
      .composite([{ input: Buffer.from('<svg width="300" height="60"><text x="10" y="40" font-size="30">inferq 123</text></svg>') }]).png().toFile(png);
    const image = await inferq(['predict', 'text-orientation', '--image', png, '--scale', 'signed', '--wait', '--json'], env);
    assert.equal(image.code, 0, image.stderr);
    const softmax = (JSON.parse(image.stdout) as typeof result).result.outputs[0]!.data;
    assert.equal(softmax.length, 2);
    assert.ok(Math.abs(softmax[0]! + softmax[1]! - 1) < 1e-4);

    const submitted = await inferq(['predict', 'iris', '--input', '-'], env, '{"features": [[5.9, 3.0, 5.1, 1.8]]}');
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    const watched = await inferq(['watch', id], env);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, new RegExp(`^${id}  completed  `, 'm'));
    const got = await inferq(['get', id, '--json'], env);
    assert.equal((JSON.parse(got.stdout) as { status: string }).status, 'completed');
  });

  it('exits 1 for a failed prediction, lists it as a dead letter and retries it', async () => {
    const failed = await inferq(['predict', 'lookup', '--data', '[[42]]', '--wait', '--json'], env);
    assert.equal(failed.code, 1, failed.stderr);
    const error = (JSON.parse(failed.stdout) as { error: { code: string; predictionId: string } }).error;
    assert.equal(error.code, 'INFERENCE_FAILED');
    const list = await inferq(['dead-letters', 'list', 'lookup', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.ok((JSON.parse(list.stdout) as { failed: Array<{ id: string }> }).failed.some((f) => f.id === error.predictionId));
    const table = await inferq(['dead-letters', 'list', 'lookup'], env);
    assert.match(table.stdout, new RegExp(`^${error.predictionId}\\s+1\\s+INFERENCE_FAILED`, 'm'));
    const retried = await inferq(['dead-letters', 'retry', error.predictionId, '--wait'], env);
    assert.equal(retried.code, 1, `the same input fails again: ${retried.stdout}${retried.stderr}`);
    assert.match(retried.stdout, new RegExp(`^${error.predictionId}  failed  INFERENCE_FAILED`, 'm'));
  });

  it('manages API keys and batching settings, and exports the log', async () => {
    const created = await inferq(['keys', 'create', 'cli-reader', '--scopes', 'read', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { id: string; key: string };
    const listed = await inferq(['keys', 'list'], env);
    assert.match(listed.stdout, new RegExp(`^${key.id}\\s+cli-reader\\s+read\\s+redis`, 'm'));
    const forbidden = await inferq(['keys', 'list'], { ...env, INFERQ_API_KEY: key.key });
    assert.equal(forbidden.code, 4, forbidden.stderr);
    assert.match(forbidden.stderr, /FORBIDDEN \(HTTP 403\)/);
    const revoked = await inferq(['keys', 'revoke', key.id, '--json'], env);
    assert.ok((JSON.parse(revoked.stdout) as { revokedAt?: number }).revokedAt);

    const set = await inferq(['models', 'batching', 'iris', '1', '--max-queue-delay-ms', '3', '--preferred-batch-sizes', '4,8', '--json'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual((JSON.parse(set.stdout) as { maxQueueDelayMs: number; preferredBatchSizes: number[] }).preferredBatchSizes, [4, 8]);
    const reset = await inferq(['models', 'batching', 'iris', '1', '--reset', '--json'], env);
    assert.equal((JSON.parse(reset.stdout) as { source: string }).source, 'config');

    const out = join(dir, 'log.jsonl');
    const exported = await inferq(['log', 'export', '--model', 'iris', '--limit', '3', '--out', out], env);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; logId: string });
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => l.model === 'iris'));
    assert.match(exported.stderr, new RegExp(`3 entries; continue with --since ${lines[2]!.logId}`));
  });

  it('exits 2 on usage errors, 3 without a connection, 4 without a valid key, 5 when the API refuses', async () => {
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['predict', 'iris'], env, 2, /give exactly one of --data/],
      [['predict', 'iris', '--data', '[[1,2'], env, 2, /not valid JSON/],
      [['frobnicate'], env, 2, /unknown command/],
      [['models', 'list'], { ...env, INFERQ_URL: 'http://127.0.0.1:9' }, 3, /CONNECTION_FAILED/],
      [['models', 'list'], { INFERQ_URL: env.INFERQ_URL! }, 4, /UNAUTHORIZED \(HTTP 401\)/],
      [['models', 'list', '--api-key', 'iq_nope'], { INFERQ_URL: env.INFERQ_URL! }, 4, /UNAUTHORIZED/],
      [['predict', 'iris', '--data', '[[1, 2, 3]]', '--wait'], env, 5, /SHAPE_MISMATCH \(HTTP 400\)/],
      [['predict', 'nope', '--data', '[[1]]'], env, 5, /MODEL_NOT_FOUND \(HTTP 404\)/],
      [['watch', 'AAAAAAAAAAAAAAAAAAAAAA'], env, 5, /PREDICTION_NOT_FOUND/],
    ];
    for (const [args, runEnv, code, pattern] of cases) {
      const run = await inferq(args, runEnv);
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout + run.stderr, pattern, args.join(' '));
    }
    const help = await inferq(['--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes: 0 ok, 1 prediction failed/);
  });
});
