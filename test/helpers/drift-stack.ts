import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { redisKeys, type WindowReport } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { createRedisConnection } from '@inferq/redis';
import { loadMonitorConfig } from '../../apps/monitor/src/config.js';
import { startMonitorApp, type MonitorApp } from '../../apps/monitor/src/monitor-app.js';
import type { IrisFlower } from '../../apps/tools/src/iris-sampler.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from './in-process-stack.js';

/** An in-process stack (API, worker, monitor) that sends whole windows of iris traffic. */
export interface DriftStack {
  stack: InProcessStack;
  monitor: MonitorApp;
  redis: Redis;
  /** Sends the flowers (one prediction each, all at once) and resolves with the report of the window they fill. */
  sendWindow(flowers: IrisFlower[]): Promise<WindowReport>;
  /** Forgets the monitor's windows, reports and alert cooldowns of iris v1. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startDriftStack(redisUrl: string, monitorEnv: Record<string, string>): Promise<DriftStack> {
  const stack = await startInProcessStack(redisUrl);
  const monitor = await startMonitorApp(loadMonitorConfig({
    REDIS_URL: redisUrl, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, MONITOR_ID: 'drift',
    // sendWindow sends a window and waits for its report: sampling (windows faster than the cap) would leave it open.
    MONITOR_MAX_WINDOWS_PER_SECOND: '0', ...monitorEnv,
  }), createLogger('monitor', 'silent'));
  const redis = createRedisConnection(redisUrl, 'worker');
  const keys = redisKeys(stack.keyPrefix);
  return {
    stack, monitor, redis,
    async sendWindow(flowers) {
      let stop = () => {};
      const report = new Promise<WindowReport>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no window report within 30 s')), 30_000);
        stop = monitor.onWindow((r) => { clearTimeout(timer); resolve(r); });
      });
      const responses = await Promise.all(flowers.map((f) => stack.app.inject({
        method: 'POST', url: '/v1/models/iris/predictions',
        payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: f.features }] },
      })));
      for (const r of responses) assert.equal(r.statusCode, 202, r.body);
      try {
        return await report;
      } finally {
        stop();
      }
    },
    async reset() {
      const cooldowns = await redis.keys(`${keys.prefix}:alert-cooldown:iris:1:*`);
      await redis.del(
        keys.monitorWindow('predictions', 'iris', '1'), keys.monitorWindowMeta('predictions', 'iris', '1'), keys.monitorReports('iris', '1'), ...cooldowns,
      );
    },
    async close() {
      await monitor.close();
      await stack.close();
      await redis.quit();
    },
  };
}
