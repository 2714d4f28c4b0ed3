/** `inferq log export`: the prediction log as JSON Lines, to stdout or a file (admin). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { contextOf } from '../context.js';
import { note } from '../output.js';

export function logCommand(): Command {
  const log = new Command('log').description('the prediction log');
  log.command('export')
    .description('stream the prediction log as JSON Lines (oldest first)')
    .option('--model <model>')
    .option('--version <version>')
    .option('--since <when>', 'epoch ms, ISO time, or the last logId read')
    .option('--limit <n>', 'most entries')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (flags: { model?: string; version?: string; since?: string; limit?: string; out?: string }, command: Command) => {
      const ctx = contextOf(command);
      const out = flags.out ? createWriteStream(flags.out) : process.stdout;
      let count = 0;
      let last: string | undefined;
      for await (const entry of ctx.client.exportLog({
        ...(flags.model ? { model: flags.model } : {}), ...(flags.version ? { version: flags.version } : {}),
        ...(flags.since ? { since: flags.since } : {}), ...(flags.limit ? { limit: Number(flags.limit) } : {}),
      })) {
        count++;
        last = entry.logId;
        if (!out.write(`${JSON.stringify(entry)}\n`)) await once(out, 'drain');
      }
      if (flags.out) {
        out.end();
        await once(out, 'finish');
      }
      note(`${count} entries${last ? `; continue with --since ${last}` : ''}`);
    });
  return log;
}
