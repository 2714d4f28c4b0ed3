import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent } from '@inferq/contract';
import { finalEventBody, finalEventText } from './final-event-text.js';

const event: PredictionFinalEvent = {
  id: 'p1', origin: 'a1b2', model: 'iris', version: '1', createdAt: 5, status: 'completed', worker: { id: 'w', device: 'cpu' },
  // An output whose name looks like the origin member: only the top-level last member is cut.
  result: { model_name: 'iris', id: 'p1', outputs: [{ name: ',"origin":"a1b2"}', shape: [1], datatype: 'INT64', data: [1] }] },
  timings: { totalMs: 3 },
};

describe('final event text', () => {
  it('writes the event with origin last, and its body without origin', () => {
    const text = finalEventText(event);
    assert.deepEqual(JSON.parse(text), event);
    assert.ok(text.endsWith(',"origin":"a1b2"}'));
    const { origin: _origin, ...rest } = event;
    assert.deepEqual(JSON.parse(`{${finalEventBody(event, text)!}}`), rest);
  });

  it('takes an event without origin as it is', () => {
    const { origin: _origin, ...rest } = event;
    const text = finalEventText(rest);
    assert.equal(text, JSON.stringify(rest));
    assert.equal(finalEventBody(rest, text), text.slice(1, -1));
  });

  it('refuses a text laid out otherwise (origin not last)', () => {
    const text = JSON.stringify(event); // origin second, as the worker builds the object
    assert.equal(finalEventBody(JSON.parse(text) as PredictionFinalEvent, text), undefined);
  });
});
