/** `inferq models status|register|load|unload`: versions shipped while serving (docs/model-control.md). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RegisterOptions } from '@inferq/client';
import { contextOf } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { printJson, printTable } from '../output.js';

/** Adds the model control subcommands to `inferq models`. */
export function addModelControlCommands(models: Command): void {
  models.command('status')
    .description('every version of a model with its state and the workers holding it')
    .argument('<model>')
    .action(async (model: string, _flags: unknown, command: Command) => {
      const ctx = contextOf(command);
      const status = await ctx.client.models.status(model);
      if (ctx.json) return printJson(status);
      process.stdout.write(`${status.name} (default version ${status.defaultVersion})\n`);
      printTable(['version', 'state', 'desired', 'origin', 'workers', 'reason'], status.versions.map((v) => [
        v.version, v.state, v.desired, v.origin, Object.entries(v.workers).map(([id, s]) => `${id}:${s}`).join(' '), v.reason ?? '',
      ]));
    });
  models.command('register')
    .description('register a new version while serving (admin): a local ONNX file, or --uri file://|s3://|https://')
    .argument('<model>')
    .argument('[file]', 'the ONNX file to upload')
    .option('--uri <uri>', 'fetch the file server-side instead of uploading it')
    .option('--sha256 <hex>', 'expected SHA-256 of the file (required with https://)')
    .option('--config <path>', 'a config.json for the version')
    .option('--as-version <n>', 'the version number (default: one above the highest)')
    .action(async (model: string, file: string | undefined, flags: { uri?: string; sha256?: string; config?: string; asVersion?: string }, command: Command) => {
      const ctx = contextOf(command);
      if ((file === undefined) === (flags.uri === undefined)) throw new UsageError('give either a file or --uri');
      const config = flags.config !== undefined ? JSON.parse(readFileSync(flags.config, 'utf8')) as RegisterOptions['config'] : undefined;
      const source = file !== undefined
        ? { bytes: new Uint8Array(readFileSync(file)) }
        : { uri: flags.uri!, ...(flags.sha256 !== undefined ? { sha256: flags.sha256 } : {}) };
      const registered = await ctx.client.models.register(model, source, {
        ...(flags.asVersion !== undefined ? { version: flags.asVersion } : {}), ...(config !== undefined ? { config } : {}),
      });
      if (ctx.json) return printJson(registered);
      process.stdout.write(`${registered.model} v${registered.version}: ${registered.state} (inferq models status ${registered.model})\n`);
    });
  for (const action of ['load', 'unload'] as const) {
    models.command(action)
      .description(action === 'load' ? 'load a version on every worker (admin)' : 'unload a version: no new predictions, queued ones finish (admin)')
      .argument('<model>')
      .argument('<version>')
      .action(async (model: string, version: string, _flags: unknown, command: Command) => {
        const ctx = contextOf(command);
        const status = await ctx.client.models[action](model, version);
        if (ctx.json) return printJson(status);
        process.stdout.write(`${model} v${status.version}: ${status.state}\n`);
      });
  }
}
