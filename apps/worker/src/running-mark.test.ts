import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { RunningMark } from './running-mark.js';

describe('RunningMark', () => {
  const counting = () => {
    const sent = { count: 0, answered: false };
    const send = async () => {
      sent.count++;
      await sleep(5);
      sent.answered = true;
    };
    return { sent, send };
  };

  it('marks at once with no delay', async () => {
    const { sent, send } = counting();
    const mark = new RunningMark(send, 0);
    assert.equal(sent.count, 1);
    await mark.settle();
    assert.equal(sent.answered, true, 'settle waits for the answer');
  });

  it('sends nothing for a batch that ends within the delay', async () => {
    const { sent, send } = counting();
    const mark = new RunningMark(send, 30);
    await mark.settle();
    await sleep(60);
    assert.equal(sent.count, 0);
  });

  it('marks a batch still running after the delay, once, and settle waits for it', async () => {
    const { sent, send } = counting();
    const mark = new RunningMark(send, 10);
    await sleep(40);
    assert.equal(sent.count, 1);
    await mark.settle();
    await mark.settle();
    assert.deepEqual(sent, { count: 1, answered: true });
  });
});
