/**
 * Traffic policies end to end (issue 13, part 2): the in-process API (`inject`, `injectWS`) in
 * front of real Redis, BullMQ and two real worker processes serving iris versions 1, 2 and 3
 * (test/helpers/traffic-models.ts). Weighted split inside its binomial interval, sticky routing
 * keys, rules, pinned bypass, the route recorded everywhere, policy admin (If-Match, history,
 * rollback, refused policies never half-applied), shadow mirroring with agreement, and a failing
 * shadow that leaves its primary alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { redisKeys, type InferenceResponse, type PredictionRecord, type WsServerMessage } from '@inferq/contract';
import { PredictionLog } from '@inferq/predictions';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { irisRows, seededRandom } from '../helpers/models.js';
import { startAppProcess, waitUntil, type AppProcess } from '../helpers/processes.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { createTrafficModels, type TrafficModels } from '../helpers/traffic-models.js';

const irisRequest = (data: number[], parameters?: Record<string, unknown>) => ({
  inputs: [{ name: 'features', shape: [data.length / 4, 4], datatype: 'FP32', data }], ...(parameters ? { parameters } : {}),
});

/** z of the two-sided 99.9 % normal interval. */
const Z_999 = 3.2905;

describe('traffic policies (real Redis, BullMQ, onnxruntime, 2 worker processes)', () => {
  let redis: TestRedis;
  let models: TrafficModels;
  let stack: InProcessStack;
  let probe: Redis;
  const workers: AppProcess[] = [];
  const random = seededRandom(13);
  const url = '/v1/models/iris/traffic';

  const put = (body: unknown, headers: Record<string, string> = {}) => stack.app.inject({ method: 'PUT', url, payload: body as object, headers });
  const getPolicy = async () => (await stack.app.inject({ method: 'GET', url })).json();
  const submit = async (body: unknown, headers: Record<string, string> = {}, path = '/v1/models/iris/predictions') => {
    const response = await stack.app.inject({ method: 'POST', url: path, payload: body as object, headers });
    assert.equal(response.statusCode, 202, response.body);
    return response.json() as { id: string; version: string; route: string };
  };
  const record = async (id: string, wait = 30_000): Promise<PredictionRecord> =>
    (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${wait}` })).json();
  /** Runs `tasks` with at most `limit` in flight. */
  const pool = async <T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> => {
    const out: T[] = new Array(count);
    let next = 0;
    await Promise.all(Array.from({ length: limit }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }));
    return out;
  };

  before(async () => {
    redis = await startTestRedis();
    models = createTrafficModels();
    stack = await startInProcessStack(redis.url, { workers: 0, env: { MODEL_REPOSITORY: models.dir, COALESCE_MAX_PREDICTIONS: '16' } });
    for (const id of ['a', 'b']) {
      workers.push(startAppProcess('apps/worker/src/main.ts', {
        REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: models.dir,
        ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: `traffic-${id}`, LOG_LEVEL: 'warn',
      }));
    }
    probe = new Redis(redis.url);
    await waitUntil(async () => (await probe.keys(`${stack.keyPrefix}:worker:*`)).length >= 2, 120_000, 'two worker heartbeats', 250);
  });
  after(async () => {
    probe?.disconnect();
    await stack?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.dispose();
    models?.dispose();
  });

  it('answers revision 0 before any policy; the default version serves with route "default"', async () => {
    const policy = await getPolicy();
    assert.equal(policy.revision, 0);
    assert.deepEqual(policy.routes, []);
    const accepted = await submit(irisRequest(irisRows(random, 2)));
    assert.deepEqual([accepted.version, accepted.route], ['3', 'default']);
  });

  it('refuses bad policies with registry codes, never a 5xx, never half-applied', async () => {
    const good = await put({ routes: [{ version: 1, weight: 100 }] });
    assert.equal(good.statusCode, 200, good.body);
    assert.equal(good.headers.etag, `"${good.json().revision}"`);
    const before = await getPolicy();
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{ routes: [{ version: 9, weight: 100 }] }, 400, 'INVALID_TRAFFIC_POLICY', /routes\[0\]\.version/],
      [{ routes: [{ version: 1, weight: 90 }, { version: 2, weight: 20 }] }, 400, 'INVALID_TRAFFIC_POLICY', /sum to 100/],
      [{ routes: [{ version: 1, weight: 50.5 }, { version: 2, weight: 49.5 }] }, 400, 'INVALID_TRAFFIC_POLICY', /weight/],
      [{ routes: [{ version: 1, weight: 100 }], rules: [{ when: { header: {} }, version: 2 }] }, 400, 'INVALID_TRAFFIC_POLICY', /rules\[0\]\.when/],
      [{ routes: [{ version: 1, weight: 100 }], rules: [{ when: { cookie: { a: 'b' } }, version: 2 }] }, 400, 'INVALID_TRAFFIC_POLICY', /rules\[0\]\.when/],
      [{ routes: [{ version: 1, weight: 100 }], rules: [{ when: { header: { 'x-a': 'b' } }, version: 7 }] }, 400, 'INVALID_TRAFFIC_POLICY', /rules\[0\]\.version/],
      [{ routes: [{ version: 1, weight: 100 }], shadow: { version: 2, percent: 150 } }, 400, 'INVALID_TRAFFIC_POLICY', /shadow/],
      [{ routes: [{ version: 1, weight: 100 }], shadow: { version: 1, percent: 100 } }, 400, 'INVALID_TRAFFIC_POLICY', /shadow\.version/],
      [{ routes: [{ version: 1, weight: 100 }], surprise: true }, 400, 'INVALID_TRAFFIC_POLICY', /surprise/],
      [[1, 2], 400, 'INVALID_TRAFFIC_POLICY', /JSON object/],
    ];
    for (const [body, status, code, message] of cases) {
      const response = await put(body);
      assert.equal(response.statusCode, status, `${JSON.stringify(body)} → ${response.body}`);
      assert.equal(response.json().error.code, code);
      assert.match(response.json().error.message, message);
    }
    const unknownModel = await stack.app.inject({ method: 'PUT', url: '/v1/models/nope/traffic', payload: { routes: [] } });
    assert.equal(unknownModel.statusCode, 404);
    const badIfMatch = await put({ routes: [{ version: 1, weight: 100 }] }, { 'if-match': 'yesterday' });
    assert.equal(badIfMatch.statusCode, 400);
    assert.deepEqual(await getPolicy(), before);
  });

  it('lets one of two racing If-Match writers win (412 for the other), keeps history and rolls back', async () => {
    const current = await getPolicy();
    const ifMatch = { 'if-match': `"${current.revision}"` };
    const [a, b] = await Promise.all([
      put({ routes: [{ version: 1, weight: 80 }, { version: 2, weight: 20 }] }, ifMatch),
      put({ routes: [{ version: 1, weight: 70 }, { version: 2, weight: 30 }] }, ifMatch),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 412]);
    const loser = a.statusCode === 412 ? a : b;
    assert.equal(loser.json().error.code, 'PRECONDITION_FAILED');
    const winner = a.statusCode === 200 ? a : b;
    assert.equal(winner.json().revision, current.revision + 1);

    const history = (await stack.app.inject({ method: 'GET', url: `${url}/history?limit=2` })).json();
    assert.deepEqual(history.revisions.map((p: { revision: number }) => p.revision), [current.revision + 1, current.revision]);

    const stale = await stack.app.inject({ method: 'POST', url: `${url}/rollback`, headers: ifMatch });
    assert.equal(stale.statusCode, 412);
    const rolled = await stack.app.inject({ method: 'POST', url: `${url}/rollback` });
    assert.equal(rolled.statusCode, 200, rolled.body);
    assert.equal(rolled.json().revision, current.revision + 2);
    assert.deepEqual(rolled.json().routes, current.routes);
    assert.deepEqual((await getPolicy()).routes, current.routes);
  });

  it('splits 4 000 unpinned requests 90/10 inside the 99.9 % binomial interval, each served by its routed version', async () => {
    assert.equal((await put({ routes: [{ version: 1, weight: 90 }, { version: 2, weight: 10 }] })).statusCode, 200);
    const n = 4_000;
    const accepted = await pool(n, 32, () => submit(irisRequest(irisRows(random, 1))));
    for (const a of accepted) assert.equal(a.route, 'weight');
    const v2 = accepted.filter((a) => a.version === '2').length;
    assert.equal(accepted.filter((a) => a.version === '1').length + v2, n);
    const mean = n * 0.1;
    const half = Z_999 * Math.sqrt(n * 0.1 * 0.9);
    assert.ok(Math.abs(v2 - mean) <= half, `v2 served ${v2} of ${n}; the 99.9 % interval is ${mean} ± ${half.toFixed(1)}`);
    // Every one completes, on the version it was routed to, its route in the record.
    const records = await pool(n, 64, (i) => record(accepted[i]!.id));
    records.forEach((r, i) => {
      assert.equal(r.status, 'completed', JSON.stringify(r).slice(0, 300));
      assert.equal(r.version, accepted[i]!.version);
      assert.equal(r.result?.model_version, accepted[i]!.version);
      assert.equal(r.route, 'weight');
    });
  });

  it('gives each of 200 routing keys one version over 10 requests (header or parameter)', async () => {
    assert.equal((await put({ routes: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }], sticky: true })).statusCode, 200);
    const seen = new Map<string, Set<string>>();
    await pool(2_000, 32, async (i) => {
      const key = `user-${i % 200}`;
      const accepted = i % 2 === 0
        ? await submit(irisRequest(irisRows(random, 1)), { 'x-routing-key': key })
        : await submit(irisRequest(irisRows(random, 1), { routing_key: key }));
      assert.equal(accepted.route, 'sticky');
      (seen.get(key) ?? seen.set(key, new Set()).get(key)!).add(accepted.version);
    });
    assert.equal(seen.size, 200);
    for (const [key, versions] of seen) assert.equal(versions.size, 1, `${key} saw versions ${[...versions]}`);
    const onV2 = [...seen.values()].filter((v) => v.has('2')).length;
    assert.ok(onV2 > 40 && onV2 < 160, `${onV2} of 200 keys on v2 at 50/50`);
  });

  it('routes rules exactly (header and parameter, equals and in-list); pinned requests bypass', async () => {
    const response = await put({
      routes: [{ version: 1, weight: 100 }],
      rules: [
        { when: { header: { 'X-Region': 'kr' } }, version: 2 },
        { when: { header: { 'x-tenant': ['acme', 'globex'] } }, version: 2 },
        { when: { parameter: { tier: 'staff' } }, version: 2 },
        { when: { parameter: { tier: ['beta', 'canary'], region: 'eu' } }, version: 2 },
      ],
    });
    assert.equal(response.statusCode, 200, response.body);
    const rows = () => irisRows(random, 1);
    const cases: Array<[Record<string, string>, Record<string, unknown> | undefined, string, string]> = [
      [{ 'x-region': 'kr' }, undefined, '2', 'rule'],
      [{ 'x-region': 'us' }, undefined, '1', 'weight'],
      [{ 'x-tenant': 'globex' }, undefined, '2', 'rule'],
      [{ 'x-tenant': 'initech' }, undefined, '1', 'weight'],
      [{}, { tier: 'staff' }, '2', 'rule'],
      [{}, { tier: 'beta', region: 'eu' }, '2', 'rule'],
      [{}, { tier: 'beta', region: 'us' }, '1', 'weight'],
      [{}, { tier: 'gold' }, '1', 'weight'],
    ];
    for (const [headers, parameters, version, route] of cases) {
      for (let i = 0; i < 20; i++) {
        const accepted = await submit(irisRequest(rows(), parameters), headers);
        assert.deepEqual([accepted.version, accepted.route], [version, route], JSON.stringify({ headers, parameters }));
      }
    }
    const pinned = await submit(irisRequest(rows()), { 'x-region': 'kr' }, '/v1/models/iris/versions/1/predictions');
    assert.deepEqual([pinned.version, pinned.route], ['1', 'pinned']);
    const pinnedRecord = await record(pinned.id);
    assert.equal(pinnedRecord.route, 'pinned');
    // The v2 protocol routes too (its answer names the version that served).
    const v2 = await stack.app.inject({ method: 'POST', url: '/v2/models/iris/infer', payload: irisRequest(rows()), headers: { 'x-region': 'kr' } });
    assert.equal(v2.statusCode, 200, v2.body);
    assert.equal(v2.json().model_version, '2');
  });

  it('records the route in the WebSocket result and the prediction log', async () => {
    assert.equal((await put({ routes: [{ version: 1, weight: 100 }], rules: [{ when: { parameter: { tier: 'staff' } }, version: 2 }] })).statusCode, 200);
    const socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    const messages: WsServerMessage[] = [];
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as WsServerMessage));
    try {
      socket.send(JSON.stringify({ type: 'predict', ref: 'a', model: 'iris', request: irisRequest(irisRows(random, 1), { tier: 'staff' }) }));
      socket.send(JSON.stringify({ type: 'predict', ref: 'b', model: 'iris', request: irisRequest(irisRows(random, 1)) }));
      await waitUntil(async () => messages.filter((m) => m.type === 'result').length === 2, 30_000, 'two WebSocket results', 20);
      const accepted = messages.filter((m) => m.type === 'accepted') as Array<Extract<WsServerMessage, { type: 'accepted' }>>;
      const byRef = new Map(accepted.map((m) => [m.ref, m.id]));
      const result = (ref: string) => messages.find((m) => m.type === 'result' && m.id === byRef.get(ref)) as Extract<WsServerMessage, { type: 'result' }>;
      assert.deepEqual([result('a').version, result('a').route], ['2', 'rule']);
      assert.deepEqual([result('b').version, result('b').route], ['1', 'weight']);

      const log = new PredictionLog(probe, redisKeys(stack.keyPrefix));
      let logged: Array<{ id: string; route?: string; version: string }> = [];
      await waitUntil(async () => {
        logged = [];
        for await (const entry of log.read({ model: 'iris' })) if (entry.id === byRef.get('a') || entry.id === byRef.get('b')) logged.push(entry);
        return logged.length === 2;
      }, 30_000, 'both predictions in the prediction log', 100);
      const entry = (ref: string) => logged.find((e) => e.id === byRef.get(ref))!;
      assert.deepEqual([entry('a').version, entry('a').route], ['2', 'rule']);
      assert.deepEqual([entry('b').version, entry('b').route], ['1', 'weight']);
    } finally {
      socket.terminate();
    }
  });

  it('mirrors every request at 100 % shadow: one result per client, a shadow output stored for each, agreement as computed from both', async () => {
    assert.equal((await put({ routes: [{ version: 1, weight: 100 }], shadow: { version: 2, percent: 100 } })).statusCode, 200);
    const socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    const messages: WsServerMessage[] = [];
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as WsServerMessage));
    const restIds: string[] = [];
    const n = 60;
    try {
      for (let i = 0; i < n; i++) {
        // Rows spread over the feature space, so the two models disagree on some.
        const rows = irisRows(random, 1 + (i % 3));
        if (i % 2 === 0) restIds.push((await submit(irisRequest(rows))).id);
        else socket.send(JSON.stringify({ type: 'predict', ref: String(i), model: 'iris', request: irisRequest(rows) }));
      }
      await waitUntil(async () => messages.filter((m) => m.type === 'result').length >= n / 2, 60_000, 'the WebSocket results', 20);
      const wsIds = messages.filter((m) => m.type === 'accepted').map((m) => (m as { id: string }).id);
      assert.equal(wsIds.length, n / 2);
      const ids = [...restIds, ...wsIds];

      // Every primary gets its shadow's outcome; wait for the last of them (bounded).
      let records: PredictionRecord[] = [];
      await waitUntil(async () => {
        records = await Promise.all(ids.map((id) => record(id, 0)));
        return records.every((r) => r.status === 'completed' && r.shadow?.status === 'completed');
      }, 60_000, 'every shadow outcome', 200);

      // Exactly one result per WebSocket prediction, the primary's (v1), without the shadow.
      const results = messages.filter((m) => m.type === 'result') as Array<Extract<WsServerMessage, { type: 'result'; status: 'completed' }>>;
      assert.equal(results.length, n / 2);
      assert.deepEqual(new Set(results.map((r) => r.id)), new Set(wsIds));
      for (const r of results) {
        assert.equal(r.result.model_version, '1');
        assert.equal('shadow' in r, false);
      }

      let samples = 0, agreements = 0, absDiffSum = 0, absDiffCount = 0;
      const classes = { baseline: [0, 0, 0], version: [0, 0, 0] };
      for (const r of records) {
        assert.equal(r.version, '1');
        assert.equal(r.shadow!.version, '2');
        const shadowResult = r.shadow!.result as InferenceResponse;
        assert.equal(shadowResult.model_version, '2');
        // The shadow's own record says whose mirror it is, and it was never a client result.
        const own = await record(r.shadow!.id!, 0);
        assert.equal(own.shadowOf, r.id);
        // Computed here from the two stored outputs, independently of the server's comparison code.
        const probabilities = (result: InferenceResponse) => result.outputs.find((o) => o.name === 'probabilities')!.data as number[];
        const a = probabilities(r.result!), b = probabilities(shadowResult);
        assert.equal(a.length, b.length);
        for (let row = 0; row < a.length / 3; row++) {
          const pick = (p: number[]) => p.slice(row * 3, row * 3 + 3).reduce((best, v, k, all) => (v > all[best]! ? k : best), 0);
          samples++;
          classes.baseline[pick(a)]!++;
          classes.version[pick(b)]!++;
          if (pick(a) === pick(b)) agreements++;
        }
        for (let k = 0; k < a.length; k++) { absDiffSum += Math.abs(a[k]! - b[k]!); absDiffCount++; }
      }
      assert.ok(absDiffSum > 0, 'v2 is a different model: its outputs differ');
      const comparison = (await stack.app.inject({ method: 'GET', url: '/v1/models/iris/versions/2/comparison?baseline=1' })).json();
      assert.equal(comparison.baseline, '1');
      assert.equal(comparison.samples, samples);
      assert.equal(comparison.pairs, ids.length);
      assert.ok(Math.abs(comparison.agreement - agreements / samples) < 1e-12, `${comparison.agreement} vs ${agreements / samples}`);
      assert.ok(Math.abs(comparison.meanAbsDiff - absDiffSum / absDiffCount) < 1e-9);
      // Output drift between the two on the same rows: class shares and their total variation distance.
      const totalVariation = [0, 1, 2].reduce((sum, k) => sum + Math.abs(classes.baseline[k]! - classes.version[k]!) / samples, 0) / 2;
      assert.ok(Math.abs(comparison.outputDrift.totalVariation - totalVariation) < 1e-12, `${comparison.outputDrift.totalVariation} vs ${totalVariation}`);
      for (const k of [0, 1, 2]) assert.ok(Math.abs((comparison.outputDrift.version[k] ?? 0) - classes.version[k]! / samples) < 1e-12);
      // And on /metrics.
      const metrics = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /inferq_shadow_agreement\{model="iris",version="2",baseline="1"\} [0-9.]+/);
      assert.match(metrics, /inferq_predictions_routed_total\{model="iris",version="1",route="weight"\}/);
    } finally {
      socket.terminate();
    }
  });

  it('leaves the primary completed when its shadow fails', async () => {
    assert.equal((await put({ routes: [{ version: 1, weight: 100 }], shadow: { version: 3, percent: 100 } })).statusCode, 200);
    const accepted = await Promise.all(Array.from({ length: 10 }, () => submit(irisRequest(irisRows(random, 1)))));
    let records: PredictionRecord[] = [];
    await waitUntil(async () => {
      records = await Promise.all(accepted.map((a) => record(a.id, 0)));
      return records.every((r) => r.shadow !== undefined);
    }, 60_000, 'every shadow outcome', 200);
    for (const r of records) {
      assert.equal(r.status, 'completed');
      assert.equal(r.version, '1');
      assert.deepEqual([r.shadow!.version, r.shadow!.status], ['3', 'failed']);
    }
  });

  it('goes back to the default version on DELETE', async () => {
    const response = await stack.app.inject({ method: 'DELETE', url });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().routes, []);
    const accepted = await submit(irisRequest(irisRows(random, 2)));
    assert.deepEqual([accepted.version, accepted.route], ['3', 'default']);
  });
});
