import type { TrafficPolicyAnswer } from './traffic-admin.js';
import type { TrafficRouter } from './traffic-router.js';

/**
 * The `traffic` object of `GET /v1/models/{m}` (model control): the policy this API routes by
 * and its revision (0 = none, the default version serves), from the in-memory cache (no Redis).
 */
export function trafficSummary(router: TrafficRouter, model: string): TrafficPolicyAnswer {
  return router.policy(model) ?? { revision: 0, routes: [], sticky: false, rules: [], shadow: null, updatedAt: 0 };
}
