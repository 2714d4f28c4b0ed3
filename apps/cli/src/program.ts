/** The `inferq` command tree. */
import { Command, Option } from 'commander';
import { deadLettersCommand } from './commands/dead-letters.js';
import { keysCommand } from './commands/keys.js';
import { logCommand } from './commands/log.js';
import { modelsCommand } from './commands/models.js';
import { getCommand, predictCommand, watchCommand } from './commands/predict.js';

export function buildProgram(): Command {
  const program = new Command('inferq')
    .description('inferq from the command line: predictions, models, keys, dead letters, the prediction log')
    .version('0.1.0', '--cli-version', 'print the CLI version')
    .addOption(new Option('--url <url>', 'API base URL').env('INFERQ_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--api-key <key>', 'API key (prefer the environment: flags show in process lists)').env('INFERQ_API_KEY'))
    .option('--json', 'machine-readable output: one JSON document (or one per line for streams)')
    .addOption(new Option('--timeout <ms>', 'client-side limit per call, ms (0 = none)').env('INFERQ_TIMEOUT_MS').default('60000'))
    .showHelpAfterError()
    .addHelpText('after', '\nExit codes: 0 ok, 1 prediction failed or expired, 2 usage, 3 connection/unavailable, 4 auth, 5 rejected by the API.\nNot available yet (no such routes): batch submit|status|results, rollouts, model load/unload.');
  for (const command of [predictCommand(), getCommand(), watchCommand(), modelsCommand(), keysCommand(), logCommand(), deadLettersCommand()]) {
    program.addCommand(command);
  }
  return program;
}
