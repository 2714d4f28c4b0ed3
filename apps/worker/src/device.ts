import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What a worker process runs its models on. */
export type DeviceAssignment =
  | { kind: 'cpu'; label: 'cpu' }
  | { kind: 'cuda'; index: number; label: string; leaseKey: string };

/** `DEVICE` setting: `auto` (GPU when one is visible, else CPU), `cpu`, `cuda` (lease any GPU), `cuda:N`. */
export type DeviceSetting = 'auto' | 'cpu' | 'cuda' | `cuda:${number}`;

/** A GPU this process can see. */
export interface GpuInfo {
  index: number;
  /** Globally unique id (e.g. `GPU-8f6…`); lease keys use it so containers on one host agree without host names. */
  uuid: string;
}

/** Parses `nvidia-smi --query-gpu=index,uuid --format=csv,noheader` output. */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  return output
    .split('\n')
    .map((line) => line.split(',').map((s) => s.trim()))
    .filter((cols) => cols.length >= 2 && /^\d+$/.test(cols[0]!) && cols[1]!.length > 0)
    .map(([index, uuid]) => ({ index: Number(index), uuid: uuid! }));
}

/**
 * Lists visible GPUs. `GPU_COUNT` (set by hand where nvidia-smi is absent) wins; otherwise
 * nvidia-smi is asked; no nvidia-smi means no GPU. Indices are the ones CUDA uses in this
 * process (after CUDA_VISIBLE_DEVICES), so they can be passed as `deviceId`.
 */
export async function detectGpus(gpuCountOverride: number | undefined, hostKey: string): Promise<GpuInfo[]> {
  if (gpuCountOverride !== undefined) {
    return Array.from({ length: gpuCountOverride }, (_, index) => ({ index, uuid: `${hostKey}-${index}` }));
  }
  try {
    const { stdout } = await promisify(execFile)('nvidia-smi', ['--query-gpu=index,uuid', '--format=csv,noheader'], { timeout: 5_000 });
    return parseNvidiaSmi(stdout).map((gpu, position) => ({ ...gpu, index: position }));
  } catch {
    return [];
  }
}
