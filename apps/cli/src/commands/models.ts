/** `inferq models list|show|batching` (+ status|register|load|unload, model-control.ts). */
import { Command } from 'commander';
import { contextOf } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { printJson, printTable } from '../output.js';
import { addModelControlCommands } from './model-control.js';

const shape = (s: number[]) => `[${s.join(', ')}]`;

export function modelsCommand(): Command {
  const models = new Command('models').description('list models, show one, read or change batching settings');
  models.command('list')
    .description('models, versions and batch settings')
    .action(async (_flags: unknown, command: Command) => {
      const ctx = contextOf(command);
      const list = await ctx.client.models.list();
      if (ctx.json) return printJson(list);
      printTable(['model', 'version', 'max batch', 'queue delay ms', 'inputs', 'outputs'], list.flatMap((m) => m.versions.map((v) => [
        m.name, v.version, v.maxBatchSize, v.maxQueueDelayMs,
        v.inputs.map((i) => `${i.name} ${i.datatype}${shape(i.shape)}`).join(', '),
        v.outputs.map((o) => `${o.name} ${o.datatype}${shape(o.shape)}`).join(', '),
      ])));
    });
  models.command('show')
    .description('a model\'s metadata (v2) and the batching settings in force')
    .argument('<model>')
    .option('-v, --version <version>', 'model version (default: the highest)')
    .action(async (model: string, flags: { version?: string }, command: Command) => {
      const ctx = contextOf(command);
      const metadata = await ctx.client.models.metadata(model, flags.version);
      const version = flags.version ?? metadata.versions.map(Number).sort((a, b) => b - a)[0]!.toString();
      const batching = await ctx.client.models.getBatching(model, version);
      if (ctx.json) return printJson({ ...metadata, version, batching });
      process.stdout.write(`${metadata.name} v${version} (versions ${metadata.versions.join(', ')}; ${metadata.platform})\n`);
      printTable(['tensor', 'name', 'datatype', 'shape'], [
        ...metadata.inputs.map((i) => ['input', i.name, i.datatype, shape(i.shape)]),
        ...metadata.outputs.map((o) => ['output', o.name, o.datatype, shape(o.shape)]),
      ]);
      process.stdout.write(`batching (${batching.source}): maxBatchSize ${batching.maxBatchSize}, maxQueueDelayMs ${batching.maxQueueDelayMs}, preferredBatchSizes [${batching.preferredBatchSizes.join(', ')}], adaptive ${batching.adaptive}\n`);
    });
  models.command('batching')
    .description('read the batching settings of a model version; with options, change them (admin); --reset drops run-time changes')
    .argument('<model>')
    .argument('<version>')
    .option('--max-batch-size <n>', 'most rows in one batch')
    .option('--max-queue-delay-ms <ms>', 'longest wait for a batch to fill (0 = never wait)')
    .option('--preferred-batch-sizes <list>', 'comma-separated sizes cut at once, e.g. 8,16 ("" for none)')
    .option('--adaptive <bool>', 'true or false')
    .option('--reset', 'return to config.json')
    .action(async (model: string, version: string, flags: Record<string, string | boolean | undefined>, command: Command) => {
      const ctx = contextOf(command);
      const change: Record<string, unknown> = {};
      const int = (name: string, v: string) => {
        if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
        return Number(v);
      };
      if (typeof flags.maxBatchSize === 'string') change.maxBatchSize = int('max-batch-size', flags.maxBatchSize);
      if (typeof flags.maxQueueDelayMs === 'string') change.maxQueueDelayMs = int('max-queue-delay-ms', flags.maxQueueDelayMs);
      if (typeof flags.preferredBatchSizes === 'string') change.preferredBatchSizes = flags.preferredBatchSizes.split(',').filter(Boolean).map((v) => int('preferred-batch-sizes', v.trim()));
      if (typeof flags.adaptive === 'string') {
        if (flags.adaptive !== 'true' && flags.adaptive !== 'false') throw new UsageError(`--adaptive must be true or false, got "${flags.adaptive}"`);
        change.adaptive = flags.adaptive === 'true';
      }
      if (flags.reset && Object.keys(change).length > 0) throw new UsageError('--reset takes no other setting');
      const settings = flags.reset
        ? await ctx.client.models.resetBatching(model, version)
        : Object.keys(change).length > 0
          ? await ctx.client.models.setBatching(model, version, change)
          : await ctx.client.models.getBatching(model, version);
      if (ctx.json) return printJson(settings);
      printTable(['setting', 'value'], Object.entries(settings).map(([k, v]) => [k, v]));
    });
  addModelControlCommands(models);
  return models;
}
