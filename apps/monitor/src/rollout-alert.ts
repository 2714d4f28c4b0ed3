import type { AlertEvent, Rollout, RolloutEvent } from '@inferq/contract';

/** Rule name of the alert raised when a failing gate rolls a rollout back. */
export const ROLLOUT_ROLLED_BACK_RULE = 'rollout_rolled_back';

/**
 * The alert of a rollback: the candidate version, the failing gate's value and limit, the step
 * it failed at (as the alert's `window`) and the reason.
 */
export function rolloutAlert(rollout: Rollout, event: RolloutEvent): AlertEvent {
  return {
    model: rollout.model,
    version: String(rollout.version),
    rule: event.gate ? `${ROLLOUT_ROLLED_BACK_RULE}:${event.gate.name}` : ROLLOUT_ROLLED_BACK_RULE,
    value: event.gate?.value ?? 0,
    threshold: event.gate?.limit ?? 0,
    window: event.step,
    at: event.at,
    message: `rollout ${rollout.id} of ${rollout.model} version ${rollout.version} rolled back: ${rollout.reason ?? 'a gate failed'}`,
  };
}
