/**
 * `npm run demo:rollout -- --url`: against a running stack (the real API listening on a free port,
 * two workers and a monitor in this process), the demo promotes version 2 and sees version 3
 * rolled back. Once with every version in the repository (iris 1, 2 = a copy of 1, 3 = the
 * committed faulty iris of models-staged/iris-faulty), once against the bundled repository alone
 * (iris 1, as `npm start` serves it): the demo registers 2 and 3 by upload itself.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runTool, startListeningStack, type ListeningStack } from '../helpers/demo-stack.js';
import { MODELS_DIR } from '../helpers/in-process-stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const demo = (args: string[]) => runTool('demo-rollout.ts', args, 240_000);

describe('demo:rollout --url drives a running stack', () => {
  let running: ListeningStack | undefined;
  let base: string;
  let repo: string;

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'inferq-demo-rollout-'));
    cpSync(join(MODELS_DIR, 'iris/1'), join(repo, 'iris/1'), { recursive: true });
    cpSync(join(MODELS_DIR, 'iris/1'), join(repo, 'iris/2'), { recursive: true });
    cpSync(join(ROOT, 'models-staged/iris-faulty'), join(repo, 'iris/3'), { recursive: true });
    running = await startListeningStack({ workers: 2, env: { MODEL_REPOSITORY: repo } }, { MONITOR_ID: 'demo-rollout-test', ROLLOUT_TICK_MS: '250' });
    base = running.base;
  });
  after(async () => {
    await running?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it('promotes the healthy version, rolls the faulty one back, and loses no prediction', async () => {
    const { code, output } = await demo(['--url', base, '--step-seconds', '1', '--min-samples', '20']);
    assert.equal(code, 0, output);
    assert.match(output, /rollout succeeded: step 3, candidate weight 100 %/);
    assert.match(output, /rollout rolled_back: step 1, candidate weight 0 % \(gate (maxErrorRate|minAgreement) failed/);
    assert.match(output, /alert: rollout_rolled_back:/);
    assert.match(output, /none lost: true/);
  });

  it('registers nothing when the stack serves every version already', async () => {
    const { code, output } = await demo(['--url', base, '--step-seconds', '1', '--min-samples', '20', '--faulty', '9', '--no-register']);
    assert.equal(code, 1);
    assert.match(output, /iris version 2 \(repository\): READY/);
    assert.match(output, /iris version 9 is not served/);
    assert.doesNotMatch(output, /registering/);
  });

  it('with --no-register, says which version is missing instead of failing later', async () => {
    const { code, output } = await demo(['--url', base, '--faulty', '9', '--no-register']);
    assert.equal(code, 1);
    assert.match(output, /iris version 9 is not served/);
  });
});

describe('demo:rollout --url against the bundled repository alone (iris 1, as `npm start` serves it)', () => {
  let running: ListeningStack | undefined;
  let base: string;
  let dataDir: string;

  before(async () => {
    // API and workers share DATA_DIR, so the model store (<DATA_DIR>/model-store) is one directory, as under `npm start`.
    dataDir = mkdtempSync(join(tmpdir(), 'inferq-demo-register-'));
    running = await startListeningStack({ workers: 2, env: { DATA_DIR: dataDir } }, { MONITOR_ID: 'demo-register-test', ROLLOUT_TICK_MS: '250' });
    base = running.base;
  });
  after(async () => {
    await running?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start with --no-register: version 2 is not served', async () => {
    const { code, output } = await demo(['--url', base, '--no-register']);
    assert.equal(code, 1);
    assert.match(output, /iris version 2 is not served .*\(versions: 1\)/);
  });

  it('registers 2 and 3 by upload, waits until READY, then promotes 2 and rolls 3 back', async () => {
    const { code, output } = await demo(['--url', base, '--step-seconds', '1', '--min-samples', '20']);
    assert.equal(code, 0, output);
    assert.match(output, /registering iris version 2 by upload from .*models-staged\/iris\/2/);
    assert.match(output, /→ 201 \{"model":"iris","version":"2","state":"LOADING"\}/);
    assert.match(output, /registering iris version 3 by upload from .*models-staged\/iris-faulty/);
    assert.match(output, /iris version 2 \(registered\): READY[\s\S]*iris version 3 \(registered\): READY[\s\S]*1\. shadow period/);
    assert.match(output, /rollout succeeded: step 3, candidate weight 100 %/);
    assert.match(output, /rollout rolled_back: step 1, candidate weight 0 % \(gate (maxErrorRate|minAgreement) failed/);
    assert.match(output, /none lost: true/);
    const described = await (await fetch(`${base}/v1/models/iris`)).json() as { versions: Array<{ version: string; state: string; origin: string }> };
    assert.deepEqual(described.versions.map((v) => [v.version, v.origin, v.state]), [['1', 'repository', 'READY'], ['2', 'registered', 'READY'], ['3', 'registered', 'READY']]);
  });

  it('a second run registers nothing, and loads a listed version that was unloaded', async () => {
    const unloaded = await fetch(`${base}/v1/models/iris/versions/3/unload`, { method: 'POST' });
    assert.equal(unloaded.status, 200, await unloaded.text());
    const { code, output } = await demo(['--url', base, '--candidate', '3', '--faulty', '9', '--no-register']);
    assert.equal(code, 1);
    assert.match(output, /iris version 3 is unloaded: loading it[\s\S]*iris version 3 \(registered\): READY/);
    assert.match(output, /iris version 9 is not served/);
    assert.doesNotMatch(output, /registering/);
  });
});
