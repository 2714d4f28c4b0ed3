import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeStep, rolloutBodyProblem } from './rollout-gates.js';

const figures = { samples: 100, errorRate: 0, latencyP95Ms: 10, pairs: 100, agreement: 1 };

describe('judgeStep', () => {
  it('waits until minSamples predictions (default 100) are in', () => {
    assert.equal(judgeStep({}, { ...figures, samples: 99 }, true).verdict, 'wait');
    assert.equal(judgeStep({ minSamples: 5 }, { ...figures, samples: 5 }, true).verdict, 'pass');
  });

  it('fails each gate with its value and limit, error rate first', () => {
    const gates = { maxErrorRate: 0.01, maxLatencyP95Ms: 50, minAgreement: 0.9, minSamples: 10 };
    assert.deepEqual(judgeStep(gates, { ...figures, errorRate: 0.5, latencyP95Ms: 99 }, true), {
      verdict: 'fail', gate: 'maxErrorRate', value: 0.5, limit: 0.01,
      reason: 'gate maxErrorRate failed: error rate 0.5 > maxErrorRate 0.01 over 100 predictions',
    });
    const latency = judgeStep(gates, { ...figures, latencyP95Ms: 99 }, true);
    assert.equal(latency.verdict === 'fail' && latency.gate, 'maxLatencyP95Ms');
    const agreement = judgeStep(gates, { ...figures, agreement: 0.5 }, true);
    assert.equal(agreement.verdict === 'fail' && agreement.gate, 'minAgreement');
    assert.equal(judgeStep(gates, figures, true).verdict, 'pass');
  });

  it('passes at the limits (the gates are strict inequalities)', () => {
    assert.equal(judgeStep({ maxErrorRate: 0.1, maxLatencyP95Ms: 10, minAgreement: 1, minSamples: 1 }, { ...figures, errorRate: 0.1 }, true).verdict, 'pass');
  });

  it('waits for pairs before judging agreement, and skips agreement where the candidate has all traffic', () => {
    assert.equal(judgeStep({ minAgreement: 0.9, minSamples: 50 }, { ...figures, pairs: 10, agreement: 0 }, true).verdict, 'wait');
    const noPairs = { samples: 100, errorRate: 0, latencyP95Ms: 10, pairs: 0 };
    assert.equal(judgeStep({ minAgreement: 0.9, minSamples: 50 }, noPairs, false).verdict, 'pass');
  });
});

describe('rolloutBodyProblem', () => {
  it('accepts increasing steps ending at 100 and approvals among them', () => {
    assert.equal(rolloutBodyProblem([5, 25, 50, 100], [50]), undefined);
    assert.equal(rolloutBodyProblem([100], [100]), undefined);
  });

  it('names what is wrong', () => {
    assert.match(rolloutBodyProblem([5, 5, 100], [])!, /strictly increasing/);
    assert.match(rolloutBodyProblem([50, 25, 100], [])!, /steps\[1\] = 25 after 50/);
    assert.match(rolloutBodyProblem([5, 50], [])!, /end at 100/);
    assert.match(rolloutBodyProblem([5, 100], [50])!, /approval value 50/);
  });
});
