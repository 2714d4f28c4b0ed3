/**
 * `npm run demo:drift -- --url` (issue 9 B.6): the demo drives a stack that is already running
 * (here the real API listening on a free port, a worker and a monitor in this process) instead of
 * starting its own, so that stack's dashboard shows the drift and keeps it after the demo ends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WindowReport } from '@inferq/contract';
import { freePort } from '@inferq/redis';
import { runTool, startListeningStack, type ListeningStack } from '../helpers/demo-stack.js';
import type { InProcessStack } from '../helpers/in-process-stack.js';
import { irisSampler } from '../helpers/iris-data.js';
import { seededRandom } from '../helpers/models.js';

const WINDOW_SIZE = 20;

const demo = (args: string[]) => runTool('demo-drift.ts', args, 180_000);

describe('demo:drift --url drives a running stack', () => {
  let running: ListeningStack | undefined;
  let stack: InProcessStack;
  let base: string;

  before(async () => {
    running = await startListeningStack({}, { MONITOR_ID: 'demo-test', WINDOW_SIZE: String(WINDOW_SIZE) });
    ({ stack, base } = running);
    // Other traffic has half-filled the open window: the demo must top it up first.
    const sample = irisSampler(seededRandom(3));
    for (let i = 0; i < 7; i++) {
      const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: sample().features }] } });
      assert.equal(response.statusCode, 202);
    }
  });
  after(async () => {
    await running?.close();
  });

  it('sends its windows to that stack, whose reports then show the drift', async () => {
    const { code, output } = await demo(['--url', base, '--unshifted', '2', '--shifted', '3']);
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`driving the running stack at ${base.replace(/[.]/g, '\\.')} \\(WINDOW_SIZE=${WINDOW_SIZE}\\)`));
    assert.match(output, /window \d+ \(shifted\): .*petal_length/);
    assert.match(output, new RegExp(`open ${base.replace(/[.]/g, '\\.')}/dashboard#iris%2F1`));
    // The running stack holds the windows: the top-up one, 2 unshifted and 3 shifted, the last drifted.
    const reports = (await stack.app.inject({ method: 'GET', url: '/v1/models/iris/versions/1/drift?limit=10' })).json().reports as WindowReport[];
    assert.equal(reports[0]!.window, 6, JSON.stringify(reports.map((r) => [r.window, r.rows])));
    assert.ok(reports.every((r) => r.rows === WINDOW_SIZE));
    assert.equal(reports[0]!.drift?.features.petal_length?.drifted, true);
    assert.equal(reports[0]!.drift?.features.petal_length?.persistent, true);
  });

  it('says so when nothing answers at the URL', async () => {
    const { code, output } = await demo(['--url', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(code, 1);
    assert.match(output, /no inferq API answers at http:\/\/127\.0\.0\.1:\d+/);
  });
});
