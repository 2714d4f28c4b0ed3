import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRegistry, parseVersionRecord, versionStateOf, versionRecordValidator, type WorkerVersionReport } from './model-control.js';

const reports = (...states: Array<[string, WorkerVersionReport['state'], string?]>) =>
  new Map(states.map(([id, state, reason]) => [id, { state, at: 0, ...(reason ? { reason } : {}) }]));

describe('versionStateOf', () => {
  it('is READY when at least one worker holds the version', () => {
    assert.deepEqual(versionStateOf({ desired: 'loaded', reports: reports(['a', 'READY'], ['b', 'LOADING']), servingWorkers: 2 }), { state: 'READY' });
    assert.deepEqual(versionStateOf({ desired: 'loaded', reports: reports(['a', 'READY'], ['b', 'FAILED', 'x']), servingWorkers: 2 }), { state: 'READY' });
  });
  it('is LOADING while a worker loads it or a serving worker has not reported yet', () => {
    assert.equal(versionStateOf({ desired: 'loaded', reports: reports(['a', 'LOADING']), servingWorkers: 1 }).state, 'LOADING');
    assert.equal(versionStateOf({ desired: 'loaded', reports: reports(['a', 'FAILED', 'x']), servingWorkers: 2 }).state, 'LOADING');
    assert.equal(versionStateOf({ desired: 'loaded', reports: reports(), servingWorkers: 1 }).state, 'LOADING');
  });
  it('is FAILED with the reason when every worker failed', () => {
    assert.deepEqual(versionStateOf({ desired: 'loaded', reports: reports(['a', 'FAILED', 'bad op'], ['b', 'FAILED', 'bad op']), servingWorkers: 2 }), { state: 'FAILED', reason: 'bad op' });
  });
  it('is UNAVAILABLE when wanted but no worker serves the model, or unloaded and released', () => {
    assert.equal(versionStateOf({ desired: 'loaded', reports: reports(), servingWorkers: 0 }).state, 'UNAVAILABLE');
    assert.equal(versionStateOf({ desired: 'unloaded', reports: reports(), servingWorkers: 2 }).state, 'UNAVAILABLE');
  });
  it('is UNLOADING while an unloaded version is still held', () => {
    assert.equal(versionStateOf({ desired: 'unloaded', reports: reports(['a', 'UNLOADING']), servingWorkers: 1 }).state, 'UNLOADING');
    assert.equal(versionStateOf({ desired: 'unloaded', reports: reports(['a', 'READY']), servingWorkers: 1 }).state, 'UNLOADING');
  });
});

describe('versionRecordValidator', () => {
  it('takes repository and registered entries, refuses malformed ones', () => {
    assert.ok(versionRecordValidator.check({ model: 'iris', version: '1', desired: 'unloaded', changedAt: 1 }));
    assert.ok(versionRecordValidator.check({
      model: 'iris', version: '2', desired: 'loaded', changedAt: 1,
      registered: { sha256: 'a'.repeat(64), size: 10, config: {}, inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [], source: 'upload' },
    }));
    assert.ok(!versionRecordValidator.check({ model: 'iris', version: '2', desired: 'maybe', changedAt: 1 }));
    assert.ok(!versionRecordValidator.check({ model: 'iris', version: '2', desired: 'loaded', changedAt: 1, registered: { sha256: 'zz' } }));
  });
});

describe('parseRegistry', () => {
  const good = { model: 'iris', version: '3', desired: 'loaded' as const, changedAt: 1 };
  it('keeps valid entries filed under their own field and reports the others', () => {
    const skipped: string[] = [];
    const records = parseRegistry({
      'iris/3': JSON.stringify(good),
      'iris/4': JSON.stringify(good), // filed under another version's field
      'iris/5': '{not json',
      'iris/6': JSON.stringify({ model: 'iris' }),
    }, (field) => skipped.push(field));
    assert.deepEqual([...records.keys()], ['iris/3']);
    assert.deepEqual(records.get('iris/3'), good);
    assert.deepEqual(skipped.sort(), ['iris/4', 'iris/5', 'iris/6']);
  });
  it('parses one entry, checking its field when given', () => {
    assert.deepEqual(parseVersionRecord(JSON.stringify(good)), good);
    assert.equal(parseVersionRecord(JSON.stringify(good), 'iris/4'), undefined);
    assert.equal(parseVersionRecord(null), undefined);
    assert.equal(parseVersionRecord('[]'), undefined);
  });
});
