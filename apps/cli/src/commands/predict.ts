/** `inferq predict <model>`: JSON, CSV rows or an image → a tensor per the model's metadata; `get`, `watch`. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { PredictInputs, PredictionResult } from '@inferq/client';
import type { InferenceResponse } from '@inferq/contract';
import { contextOf, type CommandContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { inputsFromCsv } from '../inputs/csv-input.js';
import { inputsFromImage, type ImageScale } from '../inputs/image-input.js';
import { inputsFromJson } from '../inputs/json-input.js';
import { preview, printJson, printTable } from '../output.js';

interface PredictFlags {
  version?: string;
  data?: string;
  input?: string;
  csv?: string;
  image?: string;
  scale: ImageScale;
  wait?: boolean;
  ws?: boolean;
  priority?: string;
  deadline?: string;
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('queue a prediction; with --wait (or --ws) print its result')
    .argument('<model>', 'model name')
    .option('-v, --version <version>', 'model version (default: the highest)')
    .option('-d, --data <json>', 'inputs as JSON: a v2 request, {"input": values}, or an array of rows')
    .option('-i, --input <file>', 'inputs as a JSON file ("-" = stdin)')
    .option('--csv <file>', 'rows of numbers, one prediction row per line (a header row is skipped)')
    .option('--image <file>', 'an image (PNG, JPEG, WebP…) resized to the model input')
    .addOption(new Option('--scale <scale>', 'image values: unit 0–1, signed −1–1, raw 0–255').choices(['unit', 'signed', 'raw']).default('unit'))
    .option('-w, --wait', 'wait for the result and print it')
    .option('--ws', 'submit over the WebSocket and wait for the pushed result')
    .option('--priority <priority>', 'high, normal, low or 1–1000')
    .option('--deadline <ms>', 'server-side timeout: not run if still queued after this long')
    .action(async (model: string, flags: PredictFlags, command: Command) => {
      const ctx = contextOf(command);
      const metadata = await ctx.client.models.metadata(model, flags.version);
      const inputs = await readInputs(flags, metadata);
      const options = {
        ...(flags.version !== undefined ? { version: flags.version } : {}),
        ...(flags.priority !== undefined ? { priority: /^\d+$/.test(flags.priority) ? Number(flags.priority) : flags.priority as 'high' } : {}),
        ...(flags.deadline !== undefined ? { deadlineMs: Number(flags.deadline) } : {}),
      };
      if (!flags.wait && !flags.ws) {
        const submitted = await ctx.client.submit(model, inputs, options);
        if (ctx.json) printJson(submitted);
        else process.stdout.write(`${submitted.id}\n`);
        return;
      }
      printResult(ctx, await ctx.client.predict(model, inputs, { ...options, submitOver: flags.ws ? 'ws' : 'http' }));
    });
}

async function readInputs(flags: PredictFlags, metadata: Parameters<typeof inputsFromJson>[1]): Promise<PredictInputs> {
  const given = [flags.data, flags.input, flags.csv, flags.image].filter((v) => v !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --data, --input, --csv, --image');
  if (flags.data !== undefined) return inputsFromJson(flags.data, metadata, '--data');
  if (flags.image !== undefined) return inputsFromImage(flags.image, metadata, flags.scale);
  const file = (flags.input ?? flags.csv)!;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return flags.csv !== undefined ? inputsFromCsv(text, metadata, file) : inputsFromJson(text, metadata, file);
}

function printResult(ctx: CommandContext, result: PredictionResult): void {
  if (ctx.json) return printJson({ id: result.id, status: 'completed', result: result.response, timings: result.timings });
  process.stdout.write(`${result.id} completed (model ${result.response.model_name} v${result.response.model_version ?? '?'}, ${result.timings.totalMs ?? '?'} ms)\n`);
  printTable(['output', 'datatype', 'shape', 'values'], result.response.outputs.map((o) => [o.name, o.datatype, `[${o.shape.join(', ')}]`, preview(o.data)]));
}

/** `inferq get <id>`: a prediction's state; `--wait` long-polls. */
export function getCommand(): Command {
  return new Command('get')
    .description('show a prediction (exit 1 if it failed or expired)')
    .argument('<id>', 'prediction id')
    .option('--wait <ms>', 'long-poll up to this long for it to end')
    .action(async (id: string, flags: { wait?: string }, command: Command) => {
      const ctx = contextOf(command);
      const record = await ctx.client.get(id, flags.wait !== undefined ? { waitMs: Number(flags.wait) } : {});
      if (ctx.json) printJson(record);
      else printPrediction(record);
      if (record.status === 'failed' || record.status === 'expired') process.exitCode = EXIT.PREDICTION_FAILED;
    });
}

/** `inferq watch <ids...>`: one line per prediction as it ends. */
export function watchCommand(): Command {
  return new Command('watch')
    .description('wait for predictions and print each as it ends (exit 1 if any failed, 5 if any is unknown)')
    .argument('<ids...>', 'prediction ids ("-" = read them from stdin, one per line)')
    .action(async (ids: string[], _flags: unknown, command: Command) => {
      const ctx = contextOf(command);
      const list = ids.length === 1 && ids[0] === '-' ? readFileSync(0, 'utf8').split(/\s+/).filter(Boolean) : ids;
      let failed = false;
      let unknown = false;
      for await (const item of ctx.client.watch(list)) {
        if (item.error) {
          unknown = true;
          if (ctx.json) printJson({ id: item.id, error: { code: item.error.code, message: item.error.message } });
          else process.stdout.write(`${item.id}  error  ${item.error.code}: ${item.error.message}\n`);
          continue;
        }
        if (item.prediction.status !== 'completed') failed = true;
        if (ctx.json) printJson(item.prediction);
        else printPrediction(item.prediction);
      }
      if (failed) process.exitCode = EXIT.PREDICTION_FAILED;
      else if (unknown) process.exitCode = EXIT.REJECTED;
    });
}

function printPrediction(p: { id: string; status: string; error?: { code: string; message: string }; result?: InferenceResponse }): void {
  if (p.status === 'completed' && p.result) {
    const outputs = p.result.outputs.map((o) => `${o.name}=${preview(o.data, 4)}`).join(' ');
    process.stdout.write(`${p.id}  completed  ${outputs}\n`);
  } else if (p.error) {
    process.stdout.write(`${p.id}  ${p.status}  ${p.error.code}: ${p.error.message}\n`);
  } else {
    process.stdout.write(`${p.id}  ${p.status}\n`);
  }
}
