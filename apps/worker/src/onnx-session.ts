// Before onnxruntime loads: its telemetry off (docs/configuration: ORT_DISABLE_TELEMETRY).
import '@inferq/env/onnxruntime-defaults';
import * as ort from 'onnxruntime-node';
import { DATATYPE_INFO, datatypeFromOrt } from '@inferq/contract';
import type { Tensor, TensorValues } from '@inferq/tensor';
import type { Logger } from '@inferq/logger';
import type { DeviceAssignment } from './device.js';

/** Options of one onnxruntime session. */
export interface SessionOptions {
  device: DeviceAssignment;
  /** Threads for one operator; 0 lets onnxruntime choose (all cores). */
  intraOpThreads: number;
  /**
   * Whether onnxruntime's intra-op threads spin while waiting for work instead of sleeping.
   * Spinning saves a few µs of wake-up per parallel section but burns a core between batches,
   * which the API, Redis and this worker's own event loop need on a shared host.
   * @defaultValue false
   */
  allowSpinning?: boolean;
  /** Threads running independent operators at once (with `executionMode: 'parallel'`). @defaultValue 1 */
  interOpThreads?: number;
  /** @defaultValue 'all' */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** @defaultValue 'sequential' */
  executionMode?: 'sequential' | 'parallel';
  /** onnxruntime's CPU memory arena. @defaultValue true */
  enableCpuMemArena?: boolean;
  /** Pre-planned memory for repeated shapes. @defaultValue true */
  enableMemPattern?: boolean;
}

/** A loaded model: one onnxruntime `InferenceSession`, created once per model version. */
export class OnnxSession {
  readonly #session: ort.InferenceSession;
  /** The device the session actually runs on (after any CUDA → CPU fallback). */
  readonly device: string;

  private constructor(session: ort.InferenceSession, device: string) {
    this.#session = session;
    this.device = device;
  }

  /**
   * Creates the session on the assigned device. When the CUDA provider cannot load (no GPU,
   * onnxruntime built without CUDA, driver mismatch) it warns and falls back to the CPU.
   */
  static async load(modelPath: string, options: SessionOptions, logger: Logger): Promise<OnnxSession> {
    const base: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      interOpNumThreads: options.interOpThreads ?? 1,
      executionMode: options.executionMode ?? 'sequential',
      enableCpuMemArena: options.enableCpuMemArena ?? true,
      enableMemPattern: options.enableMemPattern ?? true,
      ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
      // Session config entries (onnxruntime_session_options_config_keys.h); values are strings.
      extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
    };
    if (options.device.kind === 'cuda') {
      try {
        const session = await ort.InferenceSession.create(modelPath, {
          ...base,
          executionProviders: [{ name: 'cuda', deviceId: options.device.index }],
        });
        return new OnnxSession(session, options.device.label);
      } catch (error) {
        logger.warn(
          { modelPath, device: options.device.label, err: error },
          'CUDA execution provider unavailable; falling back to CPU (install onnxruntime-node with its CUDA binaries: see docs/gpu.md)',
        );
      }
    }
    const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
    return new OnnxSession(session, 'cpu');
  }

  /**
   * Runs the model once; returns every output. `quiet` keeps onnxruntime from logging a kernel
   * failure to stderr (it still throws): for runs whose failure is expected and handled.
   * @param options.quiet - @defaultValue false
   */
  async run(inputs: readonly Tensor[], options: { quiet?: boolean } = {}): Promise<Tensor[]> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) {
      feeds[input.name] = new ort.Tensor(DATATYPE_INFO[input.datatype].ortType as ort.Tensor.Type, input.data as never, input.shape);
    }
    // Severity 4 (fatal only) for this run's logger: the kernel error goes to the caller alone.
    const results = await (options.quiet ? this.#session.run(feeds, { logSeverityLevel: 4 }) : this.#session.run(feeds));
    return Object.entries(results).map(([name, value]) => {
      const datatype = datatypeFromOrt(value.type);
      if (!datatype) throw new Error(`output "${name}" has unsupported type ${value.type}`);
      return { name, datatype, shape: value.dims.map(Number), data: value.data as TensorValues };
    });
  }

  /** Frees native memory. */
  async release(): Promise<void> {
    await this.#session.release();
  }
}
