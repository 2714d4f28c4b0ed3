/**
 * REDIS_WAIT_REPLICAS: the API acknowledges a prediction only once a replica holds it.
 * A real primary with no replica: the submission is refused 503 REPLICATION_TIMEOUT (with the
 * registry's error shape). Then a second real redis-server becomes its replica (REPLICAOF): the
 * submission gets 202 and the acknowledged prediction is on the replica. No worker runs: only the
 * acknowledgement is tested (the failover itself: test/e2e/redis-sentinel-failover.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { waitUntil } from '../helpers/processes.js';

const body = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };

describe('REDIS_WAIT_REPLICAS', () => {
  let primary: TestRedis;
  let replica: TestRedis;
  let replicaClient: Redis;
  let stack: InProcessStack;

  before(async () => {
    [primary, replica] = await Promise.all([startTestRedis(), startTestRedis()]);
    replicaClient = new Redis(replica.url);
    stack = await startInProcessStack(primary.url, { workers: 0, env: { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '200' } });
  });

  after(async () => {
    await stack?.close();
    replicaClient?.disconnect();
    await Promise.all([primary?.dispose(), replica?.dispose()]);
  });

  it('refuses with 503 REPLICATION_TIMEOUT while no replica confirms', async () => {
    const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: body });
    assert.equal(response.statusCode, 503);
    const { error } = response.json() as { error: { code: string; message: string } };
    assert.equal(error.code, 'REPLICATION_TIMEOUT');
    assert.match(error.message, /0 of 1 Redis replica/);
  });

  it('acknowledges once a replica holds the prediction', async () => {
    await replicaClient.call('REPLICAOF', '127.0.0.1', String(primary.port));
    await waitUntil(async () => /master_link_status:up/.test(await replicaClient.info('replication')), 20_000, 'the replica to sync');
    const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: body });
    assert.equal(response.statusCode, 202, response.body);
    const { id } = response.json() as { id: string };
    const keys = await replicaClient.keys(`${stack.keyPrefix}:*${id}*`);
    assert.ok(keys.length > 0, `the replica holds prediction ${id} when the 202 arrives`);
  });
});
