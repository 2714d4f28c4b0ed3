import type { PredictionFinalEvent } from '@inferq/contract';

/**
 * The JSON text of a final event, as stored (the record's `final` field) and announced: the
 * event's own fields in its order, then `origin` LAST, so a reader that knows the origin (it
 * parsed the event) can cut it off the text with {@link finalEventBody} and forward the rest
 * without serialising the event again.
 *
 * An event built with `origin` as its last member already (the worker's, see
 * model-version-server.ts) is serialised as it is: cutting `origin` out of a copy and splicing
 * it back cost ~1/3 more per iris event than one JSON.stringify (bench/worker-event-cost.ts).
 */
export function finalEventText(event: PredictionFinalEvent): string {
  if (event.origin === undefined || lastMember(event) === 'origin') return JSON.stringify(event);
  const { origin, ...rest } = event;
  const text = JSON.stringify(rest);
  // Splices one more member before the closing brace; `rest` always has `id`, so it is not empty.
  return `${text.slice(0, -1)},"origin":${JSON.stringify(origin)}}`;
}

/** The name of an object's last own enumerable member (JSON.stringify's order). */
function lastMember(value: object): string | undefined {
  let last: string | undefined;
  for (const key in value) last = key;
  return last;
}

/**
 * The members of an announced event's text without `origin` and without the enclosing braces
 * (e.g. `"id":"…","status":"completed",…`), or undefined when `text` is not laid out as
 * {@link finalEventText} writes it (an older worker, a cache hit): then serialise `event`.
 * @param event - `text` parsed.
 */
export function finalEventBody(event: PredictionFinalEvent, text: string): string | undefined {
  if (event.origin === undefined) return text.charCodeAt(text.length - 1) === 0x7d /* } */ ? text.slice(1, -1) : undefined;
  const tail = `,"origin":${JSON.stringify(event.origin)}}`;
  return text.endsWith(tail) ? text.slice(1, -tail.length) : undefined;
}
