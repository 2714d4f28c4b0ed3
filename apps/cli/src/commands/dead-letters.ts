/** `inferq dead-letters list|retry` (admin). */
import { Command } from 'commander';
import { contextOf } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printTable, time } from '../output.js';

export function deadLettersCommand(): Command {
  const deadLetters = new Command('dead-letters').description('failed predictions kept for retry (needs an admin key)');
  deadLetters.command('list')
    .description('the newest failed predictions of a model')
    .argument('<model>')
    .option('--limit <n>', '1–1000', '50')
    .action(async (model: string, flags: { limit: string }, command: Command) => {
      const ctx = contextOf(command);
      const list = await ctx.client.deadLetters.list(model, Number(flags.limit));
      if (ctx.json) return printJson(list);
      printTable(['id', 'version', 'code', 'attempts', 'failed at', 'message'], list.failed.map((f) => [f.id, f.version, f.error.code, f.attemptsMade, time(f.failedAt), f.error.message]));
      process.stderr.write(`${list.failed.length} shown of ${list.total} failed jobs\n`);
    });
  deadLetters.command('retry')
    .description('re-queue failed predictions with their original input; --wait for the new outcome (exit 1 if any fails again)')
    .argument('<ids...>')
    .option('-w, --wait', 'wait for each to end')
    .action(async (ids: string[], flags: { wait?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      for (const id of ids) {
        const queued = await ctx.client.deadLetters.retry(id);
        if (ctx.json && !flags.wait) printJson(queued);
        else if (!flags.wait) process.stdout.write(`${queued.id}  queued\n`);
      }
      if (!flags.wait) return;
      for await (const item of ctx.client.watch(ids)) {
        const status = item.prediction?.status ?? 'error';
        if (status !== 'completed') process.exitCode = EXIT.PREDICTION_FAILED;
        if (ctx.json) printJson(item.prediction ?? { id: item.id, error: { code: item.error!.code, message: item.error!.message } });
        else process.stdout.write(`${item.id}  ${status}${item.prediction?.status === 'completed' ? '' : `  ${(item.prediction && 'error' in item.prediction ? item.prediction.error : item.error)?.code ?? ''}`}\n`);
      }
    });
  return deadLetters;
}
