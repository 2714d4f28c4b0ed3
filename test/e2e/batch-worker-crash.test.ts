/**
 * A batch survives SIGKILL of the worker running it and of the API: every row once, in order,
 * equal to direct onnxruntime; progress never goes back and ends at total.
 *
 * Real processes (API, workers) on a real Redis, short job locks (LOCK_DURATION_MS 2000). The
 * only worker is killed once some chunks are counted; the API is killed too and started again; a
 * fresh worker's stalled-job check takes the batch job back and resumes it at the first chunk
 * not counted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BatchRecord } from '@inferq/batch-jobs';
import { irisBatchRows, irisCsv } from '../helpers/batch-inputs.js';
import { DirectModel } from '../helpers/models.js';
import { useProcessStack } from '../helpers/process-stack.js';
import { waitUntil } from '../helpers/processes.js';

const ROWS = 20_000;
const dataDir = mkdtempSync(join(tmpdir(), 'inferq-batch-crash-'));

describe('e2e: kill -9 of the worker and the API mid-batch', () => {
  const fx = useProcessStack({
    keyPrefix: 'bcrash', workers: 1,
    workerEnv: { LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000', BATCH_DATA_DIR: dataDir },
    start: (stack) => {
      stack.startWorker('bcrash-w0');
      stack.startApi({ BATCH_DATA_DIR: dataDir });
    },
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('still gives every row exactly once', { timeout: 240_000 }, async () => {
    const { stack } = fx;
    const rows = irisBatchRows(ROWS, 21);
    const created = await fetch(`${stack.base}/v1/models/iris/batches?chunkSize=250`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: irisCsv(rows) });
    assert.equal(created.status, 202, await created.clone().text());
    const { id } = (await created.json()) as BatchRecord;

    const seen: number[] = [];
    const read = async (): Promise<BatchRecord> => {
      const record = (await (await fetch(`${stack.base}/v1/batches/${id}`)).json()) as BatchRecord;
      const progress = record.done + record.failed;
      if (seen.length > 0) assert.ok(progress >= seen.at(-1)!, `progress went back: ${seen.at(-1)} → ${progress}`);
      seen.push(progress);
      return record;
    };
    await waitUntil(async () => (await read()).done >= 1000, 120_000, 'some chunks counted', 20);
    const [worker] = stack.workers;
    worker!.child.kill('SIGKILL');
    stack.api.child.kill('SIGKILL');
    const atKill = seen.at(-1)!;
    assert.ok(atKill < ROWS, 'killed mid-batch');

    stack.startApi({ BATCH_DATA_DIR: dataDir });
    stack.startWorker('bcrash-w1');
    let final: BatchRecord | undefined;
    await waitUntil(async () => {
      const record = await read();
      if (['queued', 'running'].includes(record.status)) return false;
      final = record;
      return true;
    }, 180_000, 'the batch to end', 200);
    assert.equal(final!.status, 'completed', JSON.stringify(final));
    assert.equal(final!.done, ROWS);
    assert.equal(seen.at(-1), ROWS, 'progress ends at total');

    const text = await (await fetch(`${stack.base}/v1/batches/${id}/results`)).text();
    const out = text.trim().split('\n').map((l) => JSON.parse(l) as { row: number; outputs: Array<{ name: string; data: number[] }> });
    assert.equal(out.length, ROWS, 'no row lost, none twice');
    const direct = await DirectModel.load('iris');
    const expected = await direct.run('features', rows.flat(), [ROWS, 4]);
    out.forEach((line, i) => {
      assert.equal(line.row, i);
      assert.deepEqual(line.outputs.find((o) => o.name === 'label')!.data, [expected.label![i]]);
      const p = line.outputs.find((o) => o.name === 'probabilities')!.data;
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(p[k]! - expected.probabilities![i * 3 + k]!) <= 1e-6, `row ${i}`);
    });
  });
});
