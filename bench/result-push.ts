/**
 * `node --import tsx bench/result-push.ts [--batch 46] [--rounds 2000] [--repeat 4]`: the API's CPU
 * per prediction from a batch's final-result message to each WebSocket `result` push text, in
 * one process with no I/O: the array format parsed whole and each push serialised again (as
 * before), against the newline-framed event texts parsed one by one and each push spliced from
 * its text (resultPushText). Iris events as the worker builds them. Old and new alternate in
 * each repeat; CPU time (process.cpuUsage), so a shared machine slows both alike.
 */
import { parseArgs } from 'node:util';
import type { PredictionFinalEvent, PredictionRecord } from '@inferq/contract';
import { finalEventText } from '@inferq/predictions';
import { resultPushText } from '../apps/api/src/routes/ws-result-text.js';

const { values: args } = parseArgs({ options: { batch: { type: 'string', default: '46' }, rounds: { type: 'string', default: '2000' }, repeat: { type: 'string', default: '4' } } });
const batch = Number(args.batch);
const rounds = Number(args.rounds);

const events: PredictionFinalEvent[] = Array.from({ length: batch }, (_, i) => ({
  id: `01JD${String(i).padStart(22, '0')}`, model: 'iris', version: '1', createdAt: 1_764_650_000_000 + i,
  worker: { id: 'worker-1a2b3c', device: 'cpu' }, origin: '9f86d081884c7d65',
  status: 'completed',
  result: { model_name: 'iris', model_version: '1', id: `01JD${String(i).padStart(22, '0')}`, outputs: [
    { name: 'label', shape: [1], datatype: 'INT64', data: [i % 3] },
    { name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: [0.0012345678, 0.9876543, 0.011111111] },
  ] },
  timings: { queueWaitMs: 3, inferenceMs: 0.412, totalMs: 5, batchSize: batch, batchRequests: batch },
}));
const oldMessage = `[${events.map((e) => JSON.stringify(e)).join(',')}]`;
const newMessage = events.map(finalEventText).join('\n');

/** The push as ws-routes.ts serialises it field by field. */
const serialised = (record: PredictionRecord) => JSON.stringify({
  type: 'result', id: record.id, status: 'completed', result: record.result, timings: record.timings,
  ...(record.route === undefined ? { version: record.version } : { version: record.version, route: record.route }),
});

let sink = 0;
function before(): void {
  for (const event of JSON.parse(oldMessage) as PredictionFinalEvent[]) {
    const { origin: _origin, ...record } = event;
    sink += serialised(record).length;
  }
}
function after(): void {
  for (let start = 0; start < newMessage.length;) {
    const newline = newMessage.indexOf('\n', start);
    const end = newline === -1 ? newMessage.length : newline;
    const text = newMessage.slice(start, end);
    const event = JSON.parse(text) as PredictionFinalEvent;
    sink += (resultPushText(event, text) ?? serialised(event)).length;
    start = end + 1;
  }
}

const cpuPerPrediction = (fn: () => void): number => {
  const start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (rounds * batch);
};
for (let i = 0; i < 200; i++) { before(); after(); } // warm up both
console.log(`iris, ${batch} events per message, ${rounds} messages per measurement; CPU µs per prediction`);
console.log('| repeat | array + serialise (before) | lines + splice (after) | after / before |\n| --- | ---: | ---: | ---: |');
for (let i = 1; i <= Number(args.repeat); i++) {
  const b = cpuPerPrediction(before);
  const a = cpuPerPrediction(after);
  console.log(`| ${i} | ${b.toFixed(2)} | ${a.toFixed(2)} | ${(a / b).toFixed(2)} |`);
}
if (sink === 0) console.log('');
