import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';
import type { Logger } from '@inferq/logger';
import { detectGpus, type DeviceAssignment, type DeviceSetting } from './device.js';
import { acquireDeviceLease, type DeviceLease } from './device-lease.js';

/** Lease lifetime; renewed every third of it by the heartbeat. */
export const DEVICE_LEASE_TTL_MS = 15_000;

/**
 * Decides this process's device from `DEVICE`:
 * - `cpu`: the CPU.
 * - `cuda:N`: GPU N, no lease (the operator pinned it).
 * - `cuda` / `auto`: lease the least-loaded visible GPU; `auto` uses the CPU when none is visible,
 *   `cuda` does too but warns, since the operator asked for a GPU.
 */
export async function resolveDevice(
  setting: DeviceSetting, gpuCount: number | undefined, redis: Redis, keys: RedisKeys, workerId: string, hostKey: string, logger: Logger,
): Promise<{ device: DeviceAssignment; lease?: DeviceLease }> {
  if (setting === 'cpu') return { device: { kind: 'cpu', label: 'cpu' } };
  if (setting.startsWith('cuda:')) {
    const index = Number(setting.slice(5));
    return { device: { kind: 'cuda', index, label: `cuda:${index}`, leaseKey: '' } };
  }
  const gpus = await detectGpus(gpuCount, hostKey);
  if (gpus.length === 0) {
    if (setting === 'cuda') logger.warn('DEVICE=cuda but no GPU is visible (nvidia-smi found none); running on CPU');
    return { device: { kind: 'cpu', label: 'cpu' } };
  }
  const lease = await acquireDeviceLease(redis, keys, gpus, workerId, DEVICE_LEASE_TTL_MS);
  logger.info({ gpu: lease.gpu, gpusVisible: gpus.length }, 'leased GPU');
  return { device: { kind: 'cuda', index: lease.gpu.index, label: `cuda:${lease.gpu.index}`, leaseKey: lease.key }, lease };
}
