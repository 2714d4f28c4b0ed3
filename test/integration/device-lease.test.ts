/**
 * GPU leases in a real Redis (the Lua script is the thing under test): replicas spread evenly
 * over GPUs, a released or expired lease goes to the next worker, a worker that asks again keeps
 * its GPU. Time is injected, so expiry needs no waiting. Also the GPU listing from nvidia-smi
 * output or GPU_COUNT, and `resolveDevice` on top of both.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { createRedisConnection } from '@inferq/redis';
import { acquireDeviceLease, leaseHolders, type DeviceLease } from '../../apps/worker/src/device-lease.js';
import { detectGpus, parseNvidiaSmi, type GpuInfo } from '../../apps/worker/src/device.js';
import { resolveDevice } from '../../apps/worker/src/resolve-device.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const TTL_MS = 15_000;

const fakeGpus = (count: number): GpuInfo[] => Array.from({ length: count }, (_, index) => ({ index, uuid: `GPU-fake-${index}` }));

describe('device leases (real Redis)', () => {
  let redis: TestRedis;
  let connection: Redis;
  /** A fresh key prefix per test, so each starts with no leases. */
  let keys: RedisKeys;

  before(async () => {
    redis = await startTestRedis();
    connection = createRedisConnection(redis.url, 'worker');
  });
  after(async () => {
    await connection?.quit();
    await redis?.dispose();
  });

  const freshKeys = () => (keys = redisKeys(`lease${randomBytes(4).toString('hex')}`));
  const holders = (gpus: GpuInfo[], now = Date.now()) => Promise.all(gpus.map(async (gpu) => (await leaseHolders(connection, keys.deviceLease(`gpu-${gpu.uuid}`), now)).sort()));
  const acquire = (gpus: GpuInfo[], workerId: string, now?: () => number) => acquireDeviceLease(connection, keys, gpus, workerId, TTL_MS, now);

  it('5 workers over 2 GPUs split 3/2, filling the lowest index first on ties', async () => {
    freshKeys();
    const gpus = fakeGpus(2);
    const leases: DeviceLease[] = [];
    for (let i = 0; i < 5; i++) leases.push(await acquire(gpus, `w${i}`));
    assert.deepEqual(leases.map((l) => l.gpu.index), [0, 1, 0, 1, 0]);
    assert.deepEqual(await holders(gpus), [['w0', 'w2', 'w4'], ['w1', 'w3']]);
    assert.equal(leases[0]!.key, `${keys.prefix}:device-lease:gpu-GPU-fake-0`);
  });

  it('5 workers starting at the same moment still split 3/2 (the choice is atomic)', async () => {
    freshKeys();
    const gpus = fakeGpus(2);
    const leases = await Promise.all(Array.from({ length: 5 }, (_, i) => acquire(gpus, `w${i}`)));
    const perGpu = [0, 1].map((index) => leases.filter((l) => l.gpu.index === index).length).sort();
    assert.deepEqual(perGpu, [2, 3]);
  });

  it('4 workers over 4 GPUs get one each', async () => {
    freshKeys();
    const gpus = fakeGpus(4);
    const leases = await Promise.all(Array.from({ length: 4 }, (_, i) => acquire(gpus, `w${i}`)));
    assert.deepEqual(leases.map((l) => l.gpu.index).sort(), [0, 1, 2, 3]);
    assert.deepEqual((await holders(gpus)).map((h) => h.length), [1, 1, 1, 1]);
  });

  it('a released lease goes to the next worker', async () => {
    freshKeys();
    const gpus = fakeGpus(2);
    const leases: DeviceLease[] = [];
    for (let i = 0; i < 4; i++) leases.push(await acquire(gpus, `w${i}`));
    assert.deepEqual(await holders(gpus), [['w0', 'w2'], ['w1', 'w3']]);
    await leases[3]!.release();
    await leases[3]!.release(); // idempotent
    assert.deepEqual(await holders(gpus), [['w0', 'w2'], ['w1']]);
    const next = await acquire(gpus, 'w4');
    assert.equal(next.gpu.index, 1, 'the GPU with the free place');
    assert.deepEqual(await holders(gpus), [['w0', 'w2'], ['w1', 'w4']]);
    // A released lease does not come back by a late renew.
    await leases[3]!.renew();
    assert.deepEqual(await holders(gpus), [['w0', 'w2'], ['w1', 'w4']]);
  });

  it('an expired lease (a crashed worker) is reclaimed', async () => {
    freshKeys();
    const gpus = fakeGpus(2);
    const t0 = Date.now();
    let clock = t0;
    const now = () => clock;
    const crashed = await acquire(gpus, 'crashed', now);
    const alive = await acquire(gpus, 'alive', now);
    assert.deepEqual([crashed.gpu.index, alive.gpu.index], [0, 1]);

    // `alive` renews within its TTL; `crashed` never does.
    clock = t0 + TTL_MS - 1_000;
    await alive.renew();
    clock = t0 + TTL_MS + 1;
    assert.deepEqual(await holders(gpus, clock), [[], ['alive']], 'the crashed lease no longer counts');

    // The newcomer's acquire drops the expired member and takes its place.
    const newcomer = await acquire(gpus, 'newcomer', now);
    assert.equal(newcomer.gpu.index, 0);
    assert.equal(await connection.zscore(crashed.key, 'crashed'), null, 'the expired member was removed');
    assert.deepEqual(await holders(gpus, clock), [['newcomer'], ['alive']]);
  });

  it('an expired lease is reclaimed even when that GPU looked fuller', async () => {
    freshKeys();
    const gpus = fakeGpus(2);
    const t0 = Date.now();
    let clock = t0;
    const now = () => clock;
    await acquire(gpus, 'a', now); // gpu 0
    await acquire(gpus, 'b', now); // gpu 1
    await acquire(gpus, 'c', now); // gpu 0: two holders there
    clock = t0 + 5_000;
    const b = await acquire(gpus, 'b', now); // renews b only (re-acquire keeps its GPU)
    assert.equal(b.gpu.index, 1);
    clock = t0 + TTL_MS + 1; // a and c expired, b still live
    const d = await acquire(gpus, 'd', now);
    assert.equal(d.gpu.index, 0, 'GPU 0 is empty once its expired leases are dropped');
  });

  it('the same worker asking again keeps its GPU, without taking a second place', async () => {
    freshKeys();
    const gpus = fakeGpus(2);
    const leases: DeviceLease[] = [];
    for (let i = 0; i < 4; i++) leases.push(await acquire(gpus, `w${i}`));
    await leases[0]!.release(); // GPU 0: w2; GPU 1: w1, w3
    const again = await acquire(gpus, 'w3');
    assert.equal(again.gpu.index, 1, 'stays on GPU 1 although GPU 0 has fewer holders');
    assert.deepEqual(await holders(gpus), [['w2'], ['w1', 'w3']]);
    for (let i = 0; i < 3; i++) assert.equal((await acquire(gpus, 'w2')).gpu.index, 0);
    assert.deepEqual(await holders(gpus), [['w2'], ['w1', 'w3']]);
  });

  it('renew pushes the expiry forward by the TTL', async () => {
    freshKeys();
    const gpus = fakeGpus(1);
    const t0 = Date.now();
    let clock = t0;
    const lease = await acquire(gpus, 'w', () => clock);
    assert.equal(Number(await connection.zscore(lease.key, 'w')), t0 + TTL_MS);
    clock = t0 + 4_000;
    await lease.renew();
    assert.equal(Number(await connection.zscore(lease.key, 'w')), t0 + 4_000 + TTL_MS);
    const pttl = await connection.pttl(lease.key);
    assert.ok(pttl > 0 && pttl <= TTL_MS * 4, `the lease key itself expires (pttl ${pttl})`);
  });

  it('refuses an empty GPU list', async () => {
    freshKeys();
    await assert.rejects(acquire([], 'w'), /no GPU to lease/);
  });

  describe('resolveDevice', () => {
    const logger = createLogger('test', 'silent');

    it('auto with GPU_COUNT=2 leases GPUs in turn and reports cuda:N', async () => {
      freshKeys();
      const first = await resolveDevice('auto', 2, connection, keys, 'r0', 'host', logger);
      const second = await resolveDevice('cuda', 2, connection, keys, 'r1', 'host', logger);
      assert.deepEqual(first.device, { kind: 'cuda', index: 0, label: 'cuda:0', leaseKey: `${keys.prefix}:device-lease:gpu-host-0` });
      assert.deepEqual(second.device, { kind: 'cuda', index: 1, label: 'cuda:1', leaseKey: `${keys.prefix}:device-lease:gpu-host-1` });
      assert.ok(first.lease && second.lease);
      assert.deepEqual(await leaseHolders(connection, first.device.kind === 'cuda' ? first.device.leaseKey : ''), ['r0']);
      await first.lease.release();
      await second.lease.release();
    });

    it('cpu, a pinned cuda:N, and no visible GPU need no lease', async () => {
      freshKeys();
      assert.deepEqual(await resolveDevice('cpu', 2, connection, keys, 'r', 'host', logger), { device: { kind: 'cpu', label: 'cpu' } });
      assert.deepEqual(await resolveDevice('cuda:3', undefined, connection, keys, 'r', 'host', logger), { device: { kind: 'cuda', index: 3, label: 'cuda:3', leaseKey: '' } });
      assert.deepEqual(await resolveDevice('auto', 0, connection, keys, 'r', 'host', logger), { device: { kind: 'cpu', label: 'cpu' } });
      assert.deepEqual(await resolveDevice('cuda', 0, connection, keys, 'r', 'host', logger), { device: { kind: 'cpu', label: 'cpu' } });
      const [, leaseKeys] = await connection.scan('0', 'MATCH', `${keys.prefix}:*`, 'COUNT', 1_000);
      assert.deepEqual(leaseKeys, []);
    });
  });
});

describe('GPU discovery', () => {
  it('parseNvidiaSmi reads index,uuid lines', () => {
    const output = '0, GPU-8f6a1c2e-0000-1111-2222-333344445555\n1, GPU-1b2c3d4e-aaaa-bbbb-cccc-ddddeeeeffff\n';
    assert.deepEqual(parseNvidiaSmi(output), [
      { index: 0, uuid: 'GPU-8f6a1c2e-0000-1111-2222-333344445555' },
      { index: 1, uuid: 'GPU-1b2c3d4e-aaaa-bbbb-cccc-ddddeeeeffff' },
    ]);
  });

  it('parseNvidiaSmi tolerates CRLF, blank lines, headers and noise', () => {
    const output = 'index, uuid\r\n\r\n  3 ,  GPU-x  \r\nNo devices were found\n4,\n, GPU-y\n7, GPU-z, extra\n';
    assert.deepEqual(parseNvidiaSmi(output), [{ index: 3, uuid: 'GPU-x' }, { index: 7, uuid: 'GPU-z' }]);
    assert.deepEqual(parseNvidiaSmi(''), []);
  });

  it('detectGpus(2, "host") makes two GPUs with host-scoped ids; 0 makes none', async () => {
    assert.deepEqual(await detectGpus(2, 'host'), [{ index: 0, uuid: 'host-0' }, { index: 1, uuid: 'host-1' }]);
    assert.deepEqual(await detectGpus(0, 'host'), []);
  });

  it('detectGpus without GPU_COUNT asks nvidia-smi and never throws', async () => {
    const gpus = await detectGpus(undefined, 'host');
    assert.ok(Array.isArray(gpus));
    gpus.forEach((gpu, position) => {
      assert.equal(gpu.index, position, 'indices are positions after CUDA_VISIBLE_DEVICES');
      assert.ok(gpu.uuid.length > 0);
    });
  });
});
